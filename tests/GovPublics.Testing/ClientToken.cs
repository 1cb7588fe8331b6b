using Grpc.Core;
using Grpc.Net.Client;

namespace GovPublics.Testing;

/// <summary>A gateway client's bearer token on every call of a channel, as integrators send it.</summary>
public static class ClientToken
{
    /// <summary>
    /// <paramref name="options"/> (new ones when null) with calls carrying <c>authorization: Bearer
    /// <paramref name="token"/></c> over cleartext HTTP/2; a null token sends none.
    /// </summary>
    public static GrpcChannelOptions On(string? token, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        options.Credentials = token is null
            ? ChannelCredentials.Insecure
            : ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + token);
                return Task.CompletedTask;
            }));
        options.UnsafeUseInsecureChannelCallCredentials = true;
        return options;
    }
}

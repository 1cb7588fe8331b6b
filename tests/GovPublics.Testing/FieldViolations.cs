using Google.Rpc;
using Grpc.Core;

namespace GovPublics.Testing;

/// <summary>Reads the google.rpc.BadRequest field violations an INVALID_ARGUMENT carries.</summary>
public static class FieldViolations
{
    public static IReadOnlyList<string> Of(RpcException ex) =>
        ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];
}

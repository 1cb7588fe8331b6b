using GovPublics.Common.Registry;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Ingestion.Demo;
using GovPublics.Ingestion.Webhooks;
using Grpc.Net.Client.Configuration;
using GovPublics.Ingestion.Storage;

namespace GovPublics.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddIngestionServices(this IHostApplicationBuilder builder)
    {
        builder.AddCatalogCache();
        builder.Services.AddGrpcClient<RegistryInternalService.RegistryInternalServiceClient>(o =>
            {
                o.Address = new Uri(builder.Configuration["Registry:Address"] ?? CatalogCacheExtensions.RegistryAddress);
                o.ChannelOptionsActions.Add(c => c.ServiceConfig = new ServiceConfig { MethodConfigs = { CatalogCacheExtensions.RetryUnavailable() } });
            })
            .AddHttpMessageHandler(() => new InternalCalls.KeyHandler(InternalCalls.Key(builder.Configuration)));
        builder.Services.AddSingleton<WebhookCredentialsCache>();
        builder.Services.AddSingleton<WebhookHandler>();
        builder.Services.AddSingleton<QuarantineStore>();
        builder.Services.AddSingleton<MessageStore>();
        builder.Services.AddHostedService<DemoMessagesSeeder>();
        return builder;
    }
}

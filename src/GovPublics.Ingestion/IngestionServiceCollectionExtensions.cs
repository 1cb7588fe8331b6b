using GovPublics.Ingestion.Demo;
using GovPublics.Ingestion.Storage;

namespace GovPublics.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddIngestionServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MessageStore>();
        builder.Services.AddHostedService<DemoMessagesSeeder>();
        return builder;
    }
}

using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Pipeline;
using GovPublics.Routing.Storage;

namespace GovPublics.Routing;

public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// The classifier with its knowledge files, the local catalogue, the decision store and the consumer of
    /// the <c>messages</c> stream.
    /// </summary>
    public static IHostApplicationBuilder AddRoutingServices(this IHostApplicationBuilder builder)
    {
        builder.AddCatalogCache();
        builder.Services.Configure<RoutingOptions>(builder.Configuration.GetSection("Routing"));
        builder.Services.Configure<StreamConsumerOptions>(RoutingConsumer.GroupName, builder.Configuration.GetSection("Routing:Consumer"));
        builder.Services.AddSingleton(sp =>
        {
            var directory = builder.Configuration["Routing:KnowledgeDirectory"] ?? Path.Combine(AppContext.BaseDirectory, "Knowledge");
            return RoutingKnowledge.Load(directory);
        });
        builder.Services.AddSingleton(sp => new MessageClassifier(
            sp.GetRequiredService<RoutingKnowledge>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RoutingOptions>>().Value));
        builder.Services.AddSingleton<MessageRouter>();
        builder.Services.AddSingleton<DecisionStore>();
        builder.Services.AddHostedService<RoutingConsumer>();
        builder.Services.AddStreamConsumersHealthCheck();
        return builder;
    }
}

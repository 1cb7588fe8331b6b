using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Knowledge;
using GovPublics.Routing.Moderation;
using GovPublics.Routing.Pipeline;
using GovPublics.Routing.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GovPublics.Routing;

public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// The classifier with its knowledge (from the registry, followed by its change feed), the local catalogue, the decision and moderation stores, the
    /// consumer of the <c>messages</c> stream and the consumer of the <c>rejections</c> stream.
    /// </summary>
    public static IHostApplicationBuilder AddRoutingServices(this IHostApplicationBuilder builder)
    {
        builder.AddCatalogCache();
        builder.Services.Configure<RoutingOptions>(builder.Configuration.GetSection("Routing"));
        builder.Services.AddOptions<ModerationOptions>()
            .Bind(builder.Configuration.GetSection(ModerationOptions.Section))
            .Validate(o => o.Lease > TimeSpan.Zero, $"{ModerationOptions.Section}:Lease must be positive.")
            .ValidateOnStart();
        builder.Services.Configure<StreamConsumerOptions>(RoutingConsumer.GroupName, builder.Configuration.GetSection("Routing:Consumer"));
        builder.Services.Configure<StreamConsumerOptions>(RejectionConsumer.GroupName, builder.Configuration.GetSection("Routing:RejectionConsumer"));
        // The knowledge comes from the registry and follows its change feed; the classifier is swapped per version.
        builder.Services.AddSingleton<ClassifierHolder>();
        builder.Services.AddHostedService<KnowledgeFollower>();
        builder.Services.AddHealthChecks().AddCheck<KnowledgeHealthCheck>("knowledge");
        builder.Services.AddSingleton<MessageRouter>();
        builder.Services.AddSingleton<DecisionStore>();
        builder.Services.AddSingleton<ModerationStore>();
        builder.Services.AddSingleton<CorrectionStore>();
        // Leases and decision times read this clock; tests put a fake one under the same key.
        builder.Services.TryAddKeyedSingleton<TimeProvider>(ModerationService.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        builder.Services.AddSingleton<ModerationService>();
        builder.Services.AddHostedService<RoutingConsumer>();
        builder.Services.AddHostedService<RejectionConsumer>();
        builder.Services.AddStreamConsumersHealthCheck();
        return builder;
    }
}

using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Deadlines;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Pipeline;
using GovPublics.Sla.Storage;

namespace GovPublics.Sla;

public static class SlaServiceCollectionExtensions
{
    /// <summary>
    /// Calendars and deadline policy from the <c>Policies</c> folder, the local catalogue, the incident store and
    /// the consumer of the <c>routed</c> stream.
    /// </summary>
    public static IHostApplicationBuilder AddSlaServices(this IHostApplicationBuilder builder)
    {
        var policies = builder.Configuration["Sla:PoliciesDirectory"] ?? Path.Combine(AppContext.BaseDirectory, "Policies");
        builder.AddCatalogCache();
        builder.Services.Configure<StreamConsumerOptions>(SlaConsumer.GroupName, builder.Configuration.GetSection("Sla:Consumer"));
        builder.Services.AddSingleton(_ => CalendarSet.LoadDirectory(Path.Combine(policies, "calendars")));
        builder.Services.AddSingleton(_ => DeadlinePolicy.LoadFile(Path.Combine(policies, "deadlines.json")));
        builder.Services.AddSingleton<DeadlineCalculator>();
        builder.Services.AddSingleton(sp => new WorkingClocks(sp.GetRequiredService<CalendarSet>()));
        builder.Services.AddSingleton<IncidentFactory>();
        builder.Services.AddSingleton<IncidentStore>();
        builder.Services.AddHostedService<SlaConsumer>();
        builder.AddSlaAnalytics(policies);
        builder.Services.AddStreamConsumersHealthCheck();
        return builder;
    }

    /// <summary>
    /// Metrics, ratings and points of tension: the rating and tension policies, the analytics consumer group on
    /// <c>routed</c>, the first-response watcher and the <c>GovPublics.Sla</c> instruments.
    /// </summary>
    private static void AddSlaAnalytics(this IHostApplicationBuilder builder, string policies)
    {
        builder.Services.Configure<AnalyticsOptions>(builder.Configuration.GetSection(AnalyticsOptions.Section));
        builder.Services.Configure<StreamConsumerOptions>(AnalyticsConsumer.GroupName, builder.Configuration.GetSection("Sla:AnalyticsConsumer"));
        builder.Services.AddSingleton(_ => RatingPolicy.LoadFile(Path.Combine(policies, "ratings.json")));
        builder.Services.AddSingleton(_ => TensionPolicy.LoadFile(Path.Combine(policies, "tension.json")));
        builder.Services.AddSingleton<AnalyticsKeys>();
        builder.Services.AddSingleton<AnalyticsStore>();
        builder.Services.AddSingleton<AnalyticsIncidents>();
        builder.Services.AddSingleton<AnalyticsInstruments>();
        builder.Services.AddSingleton<FirstResponseObserver>();
        builder.Services.AddHostedService<AnalyticsConsumer>();
        builder.Services.AddHostedService<FirstResponseWatcher>();
    }
}

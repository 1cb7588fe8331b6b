using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Deadlines;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Domain.Lifecycle;
using GovPublics.Sla.Domain.Timers;
using GovPublics.Sla.Pipeline;
using GovPublics.Sla.Storage;
using GovPublics.Sla.Workflow;
using Microsoft.Extensions.Options;

namespace GovPublics.Sla;

public static class SlaServiceCollectionExtensions
{
    /// <summary>
    /// Calendars and deadline policy from the <c>Policies</c> folder, the local catalogue, the incident store, the
    /// lifecycle (<c>Sla:Lifecycle</c>), the consumers of the <c>routed</c> and <c>message-events</c> streams, and the
    /// timer policy (<c>Policies/timers.json</c>) with the timer worker.
    /// </summary>
    public static IHostApplicationBuilder AddSlaServices(this IHostApplicationBuilder builder)
    {
        var policies = builder.Configuration["Sla:PoliciesDirectory"] ?? Path.Combine(AppContext.BaseDirectory, "Policies");
        builder.AddCatalogCache();
        builder.Services.Configure<StreamConsumerOptions>(SlaConsumer.GroupName, builder.Configuration.GetSection("Sla:Consumer"));
        builder.Services.Configure<StreamConsumerOptions>(MessageEventsConsumer.OptionsName, builder.Configuration.GetSection("Sla:MessageEventsConsumer"));
        builder.Services.Configure<LifecycleOptions>(builder.Configuration.GetSection(LifecycleOptions.Section));
        builder.Services.AddSingleton(_ => CalendarSet.LoadDirectory(Path.Combine(policies, "calendars")));
        builder.Services.AddSingleton(_ => DeadlinePolicy.LoadFile(Path.Combine(policies, "deadlines.json")));
        builder.Services.AddSingleton<DeadlineCalculator>();
        builder.Services.AddSingleton(sp => new WorkingClocks(sp.GetRequiredService<CalendarSet>()));
        builder.Services.AddSingleton<IncidentFactory>();
        builder.Services.AddSingleton<IncidentStore>();
        builder.Services.AddSingleton(sp => new IncidentLifecycle(
            sp.GetRequiredService<DeadlineCalculator>(), sp.GetRequiredService<WorkingClocks>(), sp.GetRequiredService<IOptions<LifecycleOptions>>().Value));
        builder.Services.AddSingleton<IncidentThreadIndex>();
        builder.Services.AddSingleton<MessageRecords>();
        builder.Services.AddSingleton<IncidentCounts>();
        builder.Services.AddSingleton<IncidentWorkflow>();
        builder.Services.AddHostedService<SlaConsumer>();
        builder.Services.AddHostedService<MessageEventsConsumer>();
        builder.Services.Configure<SlaTimerOptions>(builder.Configuration.GetSection(SlaTimerOptions.Section));
        builder.Services.AddSingleton(_ => TimerPolicy.LoadFile(Path.Combine(policies, "timers.json")));
        builder.Services.AddSingleton(sp =>
        {
            var clocks = sp.GetRequiredService<WorkingClocks>();
            var catalog = sp.GetRequiredService<CatalogCache>();
            return new TimerPlan(sp.GetRequiredService<TimerPolicy>(), authorityId => clocks.For(catalog.Current.FindAuthority(authorityId)));
        });
        builder.Services.AddSingleton<SlaTimerWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SlaTimerWorker>());
        builder.Services.AddHealthChecks().AddCheck<SlaTimerHealthCheck>("timers");
        builder.AddSlaAnalytics(policies);
        builder.Services.AddStreamConsumersHealthCheck();
        return builder;
    }

    /// <summary>
    /// Metrics, ratings and points of tension: the rating and tension policies, the analytics store (incidents are
    /// counted into it by the SLA consumer, <see cref="IncidentCounts"/>), the analytics consumer group on <c>routed</c>
    /// (page facts), the first-response watcher and the <c>GovPublics.Sla</c> instruments.
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

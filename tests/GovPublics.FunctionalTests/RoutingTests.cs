using GovPublics.Common.Pipeline;
using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Routing.V1;
using GovPublics.Registry.Grpc;
using GovPublics.Routing.Grpc;
using GovPublics.Testing;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

public sealed class RoutingTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private ServiceHost<RoutingGrpcService> _routing = null!;
    private RoutingService.RoutingServiceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        _registry.StartServer();
        _routing = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Registry:Address"] = _registry.GrpcAddress,
            ["Routing:Consumer:MaxDeliveries"] = "2",
        });
        _client = new RoutingService.RoutingServiceClient(_routing.Channel);
        await Eventually.GrpcReady(() => _client.ClassifyAsync(new ClassifyRequest { Text = "проверка" }).ResponseAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _routing.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task Classify_decides_from_the_text_and_the_registry_without_side_effects()
    {
        var routedBefore = await redis.Db.StreamLengthAsync(PipelineEntries.Routed);
        var decision = await _client.ClassifyAsync(new ClassifyRequest { Text = "В Тольятти на Южном шоссе огромная яма, машины бьют колёса" });
        Assert.True(decision.IsIncident);
        Assert.Equal("roads", decision.Category);
        Assert.Equal("adm-tolyatti", decision.ResponsibleAuthorityId);
        Assert.Equal("г.о. Тольятти", decision.MunicipalityName);
        Assert.NotEmpty(decision.Explanation);
        Assert.InRange(decision.Confidence, 0.01, 1);
        Assert.Equal(routedBefore, await redis.Db.StreamLengthAsync(PipelineEntries.Routed));

        var thanks = await _client.ClassifyAsync(new ClassifyRequest { Text = "Спасибо большое за быстро отремонтированную дорогу!" });
        Assert.False(thanks.IsIncident);
        Assert.Equal("none", thanks.Category);
    }

    [Fact]
    public async Task The_page_that_received_a_message_is_evidence_not_the_answer()
    {
        var registry = new Contracts.Registry.V1.RegistryService.RegistryServiceClient(_registry.Channel);
        var minzdravPage = (await registry.ListPagesAsync(new Contracts.Registry.V1.ListPagesRequest { OwnerAuthorityId = "minzdrav", Platform = Platform.Vk })).Pages[0];
        var decision = await _client.ClassifyAsync(new ClassifyRequest
        {
            Text = "В Тольятти на улице Победы яма на дороге",
            Platform = Platform.Vk,
            PageExternalId = minzdravPage.ExternalId,
        });
        Assert.Equal("adm-tolyatti", decision.ResponsibleAuthorityId);
    }

    [Fact]
    public async Task Bad_requests_are_InvalidArgument_and_unknown_decisions_NotFound()
    {
        var empty = await Assert.ThrowsAsync<RpcException>(() => _client.ClassifyAsync(new ClassifyRequest { Text = " " }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal(["text"], FieldViolations.Of(empty));
        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.GetDecisionAsync(new GetDecisionRequest { MessageId = "mnothere" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_consumer_stores_the_decision_routes_once_and_acknowledges()
    {
        var message = PipelineEntries.Message("r-1", "В Кировском районе Самары нет горячей воды во всём доме");
        await PipelineEntries.AddMessageAsync(redis.Db, message);
        var decision = await Eventually.Found(() => _client.GetDecisionAsync(new GetDecisionRequest { MessageId = message.MessageId }).ResponseAsync);
        Assert.Equal("housing_utilities", decision.Category);
        Assert.Equal("adm-samara-kirovsky", decision.ResponsibleAuthorityId);

        // A redelivery of the same message (an at-least-once repeat) routes nothing new.
        await PipelineEntries.AddMessageAsync(redis.Db, message);
        await Eventually.True(async () => (await redis.Db.StreamPendingAsync(PipelineEntries.Messages, "routing")).PendingMessageCount == 0
            && (await redis.Db.StreamGroupInfoAsync(PipelineEntries.Messages)).Single(g => g.Name == "routing").LastDeliveredId
                == (await redis.Db.StreamInfoAsync(PipelineEntries.Messages)).LastGeneratedId, "both entries to be consumed and acknowledged");
        var routed = await redis.Db.StreamRangeAsync(PipelineEntries.Routed);
        Assert.Single(routed, e => e["id"] == message.MessageId);
        var data = PipelineJson.Deserialize<RoutedMessage>(routed.Single(e => e["id"] == message.MessageId)["data"].ToString());
        Assert.Equal(message.Text, data.Message.Text);
    }

    [Fact]
    public async Task A_poison_entry_goes_to_the_dead_letter_stream_and_the_pipeline_goes_on()
    {
        var poisonId = await redis.Db.StreamAddAsync(PipelineEntries.Messages, [new("id", "mpoison"), new("data", "{not json")]);
        var good = PipelineEntries.Message("r-after-poison", "На улице Ленина в Сызрани не горят фонари");
        await PipelineEntries.AddMessageAsync(redis.Db, good);

        await Eventually.Found(() => _client.GetDecisionAsync(new GetDecisionRequest { MessageId = good.MessageId }).ResponseAsync);
        await Eventually.True(async () => (await redis.Db.StreamRangeAsync(PipelineEntries.Messages + ":dead")).Any(e => e["id"] == "mpoison"),
            "the poison entry in the dead-letter stream");
        var dead = (await redis.Db.StreamRangeAsync(PipelineEntries.Messages + ":dead")).Single(e => e["id"] == "mpoison");
        Assert.Contains("JsonException", dead["dead_reason"].ToString(), StringComparison.Ordinal);
        // Unreadable is unreadable: dead-lettered on its first delivery, acknowledged, nothing left pending.
        Assert.Equal(poisonId.ToString(), dead["dead_source_id"].ToString());
        Assert.Equal("1", dead["dead_deliveries"].ToString());
        await Eventually.True(async () => (await redis.Db.StreamPendingAsync(PipelineEntries.Messages, "routing")).PendingMessageCount == 0, "nothing left pending");
        Assert.DoesNotContain(await redis.Db.StreamRangeAsync(PipelineEntries.Messages + ":dead"), e => e["id"] == good.MessageId);
    }

    [Fact]
    public async Task A_batch_is_stored_in_one_step_each_message_once_and_a_poison_entry_among_good_ones_is_isolated()
    {
        var first = PipelineEntries.Message("r-batch-1", "В Сызрани на улице Ленина не горят фонари, очень темно");
        var second = PipelineEntries.Message("r-batch-2", "В Кировском районе Самары нет горячей воды во всём доме");
        // Appended atomically, so the consumer reads all four in one batch: two messages, a poison entry between
        // them, and a repeat of the first.
        var transaction = redis.Db.CreateTransaction();
        _ = PipelineEntries.AddMessageAsync(transaction, first);
        _ = transaction.StreamAddAsync(PipelineEntries.Messages, [new("id", "mpoison-batch"), new("data", "{\"message_id\": 7")]);
        _ = PipelineEntries.AddMessageAsync(transaction, second);
        _ = PipelineEntries.AddMessageAsync(transaction, first);
        Assert.True(await transaction.ExecuteAsync());

        await Eventually.True(async () => (await redis.Db.StreamRangeAsync(PipelineEntries.Messages + ":dead")).Any(e => e["id"] == "mpoison-batch"),
            "the poison entry in the dead-letter stream");
        await Eventually.True(async () => (await redis.Db.StreamPendingAsync(PipelineEntries.Messages, "routing")).PendingMessageCount == 0
            && (await redis.Db.StreamGroupInfoAsync(PipelineEntries.Messages)).Single(g => g.Name == "routing").LastDeliveredId
                == (await redis.Db.StreamInfoAsync(PipelineEntries.Messages)).LastGeneratedId, "every entry consumed and acknowledged");

        var routed = await redis.Db.StreamRangeAsync(PipelineEntries.Routed);
        Assert.Single(routed, e => e["id"] == first.MessageId);
        Assert.Single(routed, e => e["id"] == second.MessageId);
        var entry = PipelineJson.Deserialize<RoutedMessage>(routed.Single(e => e["id"] == second.MessageId)["data"].ToString());
        Assert.Equal("adm-samara-kirovsky", entry.Decision.ResponsibleAuthorityId);
        Assert.NotEmpty(entry.Decision.Explanation);
        Assert.Empty(entry.Decision.Evidence);

        // The decision record keeps the evidence, and the history shows the classifier's decision as revision 0.
        var decision = await _client.GetDecisionAsync(new GetDecisionRequest { MessageId = second.MessageId });
        Assert.NotEmpty(decision.Evidence);
        var history = await _client.GetDecisionHistoryAsync(new GetDecisionHistoryRequest { MessageId = second.MessageId });
        Assert.Equal(0, Assert.Single(history.Entries).Revision);
        Assert.DoesNotContain(await redis.Db.StreamRangeAsync(PipelineEntries.Messages + ":dead"), e => e["id"] == first.MessageId || e["id"] == second.MessageId);
    }
}

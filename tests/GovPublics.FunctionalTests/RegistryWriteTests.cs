using System.Diagnostics;
using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Contracts.Routing.V1;
using GovPublics.Registry.Grpc;
using GovPublics.Routing.Grpc;
using GovPublics.Testing;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

/// <summary>Editing the catalogue: validation, optimistic concurrency, archiving, secrets, the change feed.</summary>
public sealed class RegistryWriteTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private RegistryService.RegistryServiceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        _client = new RegistryService.RegistryServiceClient(_registry.Channel);
        await Eventually.GrpcReady(() => _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 }).ResponseAsync);
        await RegistrySeed.SettledAsync(_client);
    }

    public async ValueTask DisposeAsync() => await _registry.DisposeAsync();

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    private Task<Authority> CreateAuthority(string id, string parent = "gov", RegistryService.RegistryServiceClient? on = null) =>
        (on ?? _client).CreateAuthorityAsync(new CreateAuthorityRequest
        {
            Authority = new Authority
            {
                Id = id, Kind = AuthorityKind.Department, Name = $"Департамент {id}", TerritoryId = "samara", ParentId = parent,
                TimeZone = "Europe/Samara", Calendar = "ru",
            },
        }).ResponseAsync;

    private Task<Page> CreatePage(string id, string owner, string externalId) => _client.CreatePageAsync(new CreatePageRequest
    {
        Page = new Page
        {
            Id = id, Platform = Platform.Vk, ExternalId = externalId, Title = id, Kind = PageKind.Department,
            OwnerAuthorityId = owner, CommentsOpen = true, Status = PageStatus.Active,
        },
    }).ResponseAsync;

    [Fact]
    public async Task A_second_administration_of_a_territory_is_refused_and_routing_stays_with_the_first()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.CreateAuthorityAsync(new CreateAuthorityRequest
        {
            Authority = new Authority
            {
                Id = "adm-a-tolyatti", Kind = AuthorityKind.Administration, Name = "Ещё одна администрация", TerritoryId = "tolyatti",
                ParentId = "gov", TimeZone = "Europe/Samara", Calendar = "ru",
            },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("adm-tolyatti", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("a territory has one", ex.Status.Detail, StringComparison.Ordinal);
        var responsible = await _client.ResolveResponsibleAsync(new ResolveResponsibleRequest { Topic = "improvement", TerritoryId = "tolyatti" });
        Assert.Equal("adm-tolyatti", responsible.Authority.Id);
    }

    [Fact]
    public async Task Created_entities_come_back_with_a_version_and_are_listed()
    {
        var id = NewId("dep");
        var authority = await CreateAuthority(id);
        Assert.True(authority.Version > 0);
        var page = await CreatePage(NewId("vk"), id, "-" + Random.Shared.NextInt64(1_000_000_000, 9_000_000_000));
        Assert.Equal(id, page.OwnerAuthorityId);
        Assert.False(page.HasSecret);
        var listed = await _client.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = id });
        Assert.Equal(page, Assert.Single(listed.Pages));
        Assert.Equal(authority, await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = id }));
    }

    [Fact]
    public async Task Invalid_entities_are_refused_with_every_field_named()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.CreateTerritoryAsync(new CreateTerritoryRequest
        {
            Territory = new Territory { Id = NewId("t"), Kind = TerritoryKind.Unspecified, ParentId = "atlantis" },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var fields = FieldViolations.Of(ex);
        Assert.Contains("territory.name", fields);
        Assert.Contains("territory.kind", fields);
        Assert.Contains("territory.parent_id", fields);

        var page = await Assert.ThrowsAsync<RpcException>(() => CreatePage(NewId("vk"), "no-such-authority", "-42"));
        Assert.Equal(StatusCode.InvalidArgument, page.StatusCode);
        Assert.Equal(["page.owner_authority_id"], FieldViolations.Of(page));

        var rule = await Assert.ThrowsAsync<RpcException>(() => _client.CreateJurisdictionRuleAsync(new CreateJurisdictionRuleRequest
        {
            Rule = new JurisdictionRule { Id = NewId("r"), Topic = "roads", Subtopic = "night_lights", AuthorityId = "gov", TerritoryAdministration = true },
        }).ResponseAsync);
        Assert.Contains("rule.territory_administration", FieldViolations.Of(rule));

        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.CreatePageAsync(new CreatePageRequest()).ResponseAsync);
        Assert.Equal(["page"], FieldViolations.Of(missing));
    }

    [Fact]
    public async Task Ids_and_platform_page_ids_are_unique()
    {
        var id = NewId("dep");
        await CreateAuthority(id);
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => CreateAuthority(id))).StatusCode);

        var external = "-" + Random.Shared.NextInt64(1_000_000_000, 9_000_000_000);
        await CreatePage(NewId("vk"), id, external);
        var twin = await Assert.ThrowsAsync<RpcException>(() => CreatePage(NewId("vk"), id, external));
        Assert.Equal(StatusCode.AlreadyExists, twin.StatusCode);
        Assert.Contains(external, twin.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parent_cycle_is_refused()
    {
        var a = NewId("a");
        var b = NewId("b");
        var first = await CreateAuthority(a);
        await CreateAuthority(b, parent: a);
        first.ParentId = b;
        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = first }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("authority.parent_id", FieldViolations.Of(ex));
        Assert.Contains("loops back", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_update_is_aborted_and_never_overwrites()
    {
        var id = NewId("dep");
        var read = await CreateAuthority(id);
        var mine = read.Clone();
        var theirs = read.Clone();
        theirs.ShortName = "их правка";
        var saved = await _client.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = theirs });
        Assert.True(saved.Version > read.Version);

        mine.ShortName = "моя правка";
        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = mine }).ResponseAsync);
        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal("их правка", (await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = id })).ShortName);

        var unknown = read.Clone();
        unknown.Id = NewId("ghost");
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() =>
            _client.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = unknown }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Two_updates_sent_with_the_same_version_never_both_win()
    {
        // Each round races two edits of one read; however they interleave with each other's refreshes, the
        // second to commit was checked against the version the first replaced, so it must be refused.
        for (var round = 0; round < 30; round++)
        {
            var read = await CreateAuthority(NewId("race"));
            var outcomes = await Task.WhenAll(new[] { "A", "B" }.Select(name => Task.Run(async () =>
            {
                var mine = read.Clone();
                mine.ShortName = name;
                try
                {
                    await _client.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = mine });
                    return StatusCode.OK;
                }
                catch (RpcException ex)
                {
                    return ex.StatusCode;
                }
            })));
            Assert.Equal([StatusCode.OK, StatusCode.Aborted], outcomes.Order());
        }
    }

    [Fact]
    public async Task Many_parallel_creates_are_stored_or_told_to_retry_never_an_outage()
    {
        // Contention between writers is not the store being away: a create that keeps losing the race is ABORTED
        // (retry it), and one that wins answers the authority it stored.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => Task.Run(async () =>
        {
            var id = NewId("par");
            try
            {
                Assert.Equal(id, (await CreateAuthority(id)).Id);
                return "OK";
            }
            catch (RpcException ex)
            {
                return $"{ex.StatusCode}: {ex.Status.Detail}";
            }
        })));
        output.WriteLine(string.Join(Environment.NewLine, outcomes.CountBy(o => o).Select(kv => $"{kv.Value} × {kv.Key}")));
        Assert.All(outcomes, o => Assert.True(o == "OK" || (o.StartsWith("Aborted: ", StringComparison.Ordinal) && o.Contains("retry", StringComparison.Ordinal)), o));
        Assert.Contains("OK", outcomes);
    }

    [Fact]
    public async Task A_change_sent_without_the_version_it_was_made_on_is_InvalidArgument_on_version()
    {
        var owner = NewId("dep");
        var authority = await CreateAuthority(owner);
        var page = await CreatePage(NewId("vk"), owner, "-" + Random.Shared.NextInt64(1_000_000_000, 9_000_000_000));
        var unversioned = authority.Clone();
        unversioned.Version = 0;

        async Task Refused(string field, Func<Task> call)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Equal([field], FieldViolations.Of(ex));
            Assert.Contains("is required", ex.Status.Detail, StringComparison.Ordinal);
        }

        await Refused("authority.version", () => _client.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = unversioned }).ResponseAsync);
        await Refused("version", () => _client.ArchiveAuthorityAsync(new ArchiveRequest { Id = owner }).ResponseAsync);
        await Refused("version", () => _client.SetPageSecretAsync(new SetPageSecretRequest { PageId = page.Id, Secret = "s3cr3t" }).ResponseAsync);
        await Refused("version", () => _client.ArchivePageAsync(new ArchiveRequest { Id = page.Id }).ResponseAsync);
        await Refused("expected_version", () => _client.RollbackKnowledgeAsync(new RollbackKnowledgeRequest
        {
            Name = "places", ToVersion = 1, UpdatedBy = "moderator-1",
        }).ResponseAsync);

        Assert.Equal(authority, await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = owner }));
    }

    [Fact]
    public async Task An_authority_with_pages_cannot_vanish_without_a_reassignment()
    {
        var id = NewId("dep");
        var heir = NewId("heir");
        var authority = await CreateAuthority(id);
        await CreateAuthority(heir);
        var page = await CreatePage(NewId("vk"), id, "-" + Random.Shared.NextInt64(1_000_000_000, 9_000_000_000));
        authority = await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = id });

        var blocked = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ArchiveAuthorityAsync(new ArchiveRequest { Id = id, Version = authority.Version }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, blocked.StatusCode);
        var failure = blocked.GetRpcStatus()!.GetDetail<PreconditionFailure>()!;
        Assert.Contains(failure.Violations, v => v.Subject == $"pages/{page.Id}");

        var archived = await _client.ArchiveAuthorityAsync(new ArchiveRequest { Id = id, Version = authority.Version, ReassignTo = heir });
        Assert.Contains($"pages/{page.Id}", archived.Reassigned);
        Assert.Equal(heir, (await _client.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = heir })).Pages.Single().OwnerAuthorityId);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetAuthorityAsync(new GetAuthorityRequest { Id = id }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task A_territory_in_use_cannot_be_archived()
    {
        var samara = (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { Kind = TerritoryKind.UrbanOkrug, PageSize = 100 }))
            .Territories.Single(t => t.Id == "samara");
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ArchiveTerritoryAsync(new ArchiveRequest { Id = "samara", Version = samara.Version }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("authorities/adm-samara", ex.GetRpcStatus()!.GetDetail<PreconditionFailure>()!.Violations.Select(v => v.Subject));
    }

    /// <summary>Who answers for potholes in <paramref name="territory"/>.</summary>
    private async Task<string> ResponsibleForRoadsIn(string territory) =>
        (await _client.ResolveResponsibleAsync(new ResolveResponsibleRequest { Topic = "roads", TerritoryId = territory })).Authority.Id;

    [Fact]
    public async Task Archiving_the_only_administration_of_a_territory_is_FailedPrecondition_saying_what_depends_on_it()
    {
        var adm = await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-zhigulevsk" });

        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.ArchiveAuthorityAsync(new ArchiveRequest
        {
            Id = adm.Id, Version = adm.Version, ReassignTo = "gov",
        }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("territory 'zhigulevsk'", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("would be left without an administration", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("education-urban-okrug", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("successor", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("territories/zhigulevsk", ex.GetRpcStatus()!.GetDetail<PreconditionFailure>()!.Violations.Select(v => v.Subject));
        Assert.Equal("adm-zhigulevsk", await ResponsibleForRoadsIn("zhigulevsk"));
        Assert.Equal("adm-zhigulevsk", (await _client.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = "adm-zhigulevsk" })).Pages[0].OwnerAuthorityId);
    }

    [Fact]
    public async Task Turning_the_only_administration_into_a_department_is_FailedPrecondition()
    {
        var adm = await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-otradny" });
        var department = adm.Clone();
        department.Kind = AuthorityKind.Department;

        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = department }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("territory 'otradny'", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(adm, await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-otradny" }));
    }

    [Fact]
    public async Task An_import_that_leaves_a_territory_without_its_administration_is_refused_naming_the_row()
    {
        var adm = await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-kinel" });
        var json = $$"""
            {"authorities": [{"id": "adm-kinel", "kind": "department", "name": "{{adm.Name}}", "territory_id": "kinel", "parent_id": "gov"}]}
            """;

        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.ImportCatalogAsync(new ImportCatalogRequest
        {
            Format = CatalogFormat.Json, Content = ByteString.CopyFromUtf8(json),
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var violation = Assert.Single(ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("authorities[0].kind", violation.Field);
        Assert.Contains("territory 'kinel'", violation.Description, StringComparison.Ordinal);
        Assert.Contains("would be left without an administration", violation.Description, StringComparison.Ordinal);
        Assert.Equal(AuthorityKind.Administration, (await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-kinel" })).Kind);
    }

    [Fact]
    public async Task An_administration_is_replaced_by_archiving_it_with_its_successor_in_one_change()
    {
        var old = await _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-syzran" });
        var successor = old.Clone();
        successor.Id = "adm-syzran-2026";
        successor.Name = "Администрация г.о. Сызрань (новая)";
        successor.Version = 0;

        // A second administration alongside the first is refused, so the successor comes with the archive.
        var second = await Assert.ThrowsAsync<RpcException>(() => _client.CreateAuthorityAsync(new CreateAuthorityRequest { Authority = successor }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, second.StatusCode);
        Assert.Contains("successor", second.Status.Detail, StringComparison.Ordinal);

        var handedOver = await _client.ArchiveAuthorityAsync(new ArchiveRequest { Id = old.Id, Version = old.Version, Successor = successor });

        Assert.Equal(["authorities/adm-syzran"], handedOver.Archived);
        Assert.Equal(["authorities/adm-syzran-2026"], handedOver.Created);
        Assert.Contains("pages/vk-adm-syzran", handedOver.Reassigned);
        Assert.Equal("adm-syzran-2026", await ResponsibleForRoadsIn("syzran"));
        Assert.Equal("adm-syzran-2026", (await _client.ResolvePageAsync(new ResolvePageRequest
        {
            Platform = Contracts.Common.V1.Platform.Vk,
            ExternalId = (await _client.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = "adm-syzran-2026", PageSize = 100 })).Pages.First(p => p.Id == "vk-adm-syzran").ExternalId,
        })).Owner.Id);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-syzran" }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Archiving_a_territory_takes_its_administration_along()
    {
        var territory = (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { Kind = TerritoryKind.MunicipalDistrict, PageSize = 100 }))
            .Territories.Single(t => t.Id == "shigonsky");

        var archived = await _client.ArchiveTerritoryAsync(new ArchiveRequest { Id = territory.Id, Version = territory.Version, ReassignTo = "gov" });

        Assert.Equal(["authorities/adm-shigonsky", "territories/shigonsky"], archived.Archived.Order(StringComparer.Ordinal));
        Assert.Contains("pages/vk-adm-shigonsky", archived.Reassigned);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-shigonsky" }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Page_secrets_are_kept_but_never_returned()
    {
        var owner = NewId("dep");
        await CreateAuthority(owner);
        var page = await CreatePage(NewId("vk"), owner, "-" + Random.Shared.NextInt64(1_000_000_000, 9_000_000_000));
        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            _client.SetPageSecretAsync(new SetPageSecretRequest { PageId = page.Id, Version = page.Version, Secret = "пароль с пробелом" }).ResponseAsync);
        Assert.Equal(["secret"], FieldViolations.Of(bad));

        var withSecret = await _client.SetPageSecretAsync(new SetPageSecretRequest
        {
            PageId = page.Id, Version = page.Version, Secret = "s3cr3t_TOKEN-1", ConfirmationCode = "a1b2c3d4",
        });
        Assert.True(withSecret.HasSecret);
        var listed = (await _client.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = owner })).Pages.Single();
        Assert.True(listed.HasSecret);
        Assert.DoesNotContain("s3cr3t", listed.ToString(), StringComparison.Ordinal);
        var exported = await _client.ExportCatalogAsync(new ExportCatalogRequest { Format = CatalogFormat.Json });
        Assert.DoesNotContain("s3cr3t", exported.Content.ToStringUtf8(), StringComparison.Ordinal);

        // Only the internal service, which the gateway does not route, gives the credentials to ingestion.
        var internalClient = new RegistryInternalService.RegistryInternalServiceClient(_registry.Channel);
        var credentials = await internalClient.GetWebhookCredentialsAsync(new GetWebhookCredentialsRequest { Platform = Platform.Vk, PageExternalId = page.ExternalId });
        Assert.Equal(("s3cr3t_TOKEN-1", "a1b2c3d4", page.Id), (credentials.Secret, credentials.ConfirmationCode, credentials.PageId));

        var removed = await _client.SetPageSecretAsync(new SetPageSecretRequest { PageId = page.Id, Version = withSecret.Version });
        Assert.False(removed.HasSecret);
        Assert.Equal("", (await internalClient.GetWebhookCredentialsAsync(new GetWebhookCredentialsRequest { Platform = Platform.Vk, PageExternalId = page.ExternalId })).Secret);
    }

    [Fact]
    public async Task An_archived_page_takes_its_secret_with_it_and_a_new_page_of_the_same_id_has_none()
    {
        var owner = NewId("dep");
        await CreateAuthority(owner);
        var page = await CreatePage(NewId("vk"), owner, "-" + Random.Shared.NextInt64(1_000_000_000, 9_000_000_000));
        var withSecret = await _client.SetPageSecretAsync(new SetPageSecretRequest
        {
            PageId = page.Id, Version = page.Version, Secret = "old_secret", ConfirmationCode = "old-code",
        });
        await _client.ArchivePageAsync(new ArchiveRequest { Id = page.Id, Version = withSecret.Version });
        Assert.False(await redis.Db.HashExistsAsync("gp:{63}:registry:secrets", page.Id));
        // As an archive made before credentials went with the page left them: a page created under the id clears them.
        await redis.Db.HashSetAsync("gp:{63}:registry:secrets", page.Id, """{"secret":"left_over","confirmation":"left-code"}""");

        var again = await CreatePage(page.Id, owner, "-" + Random.Shared.NextInt64(1_000_000_000, 9_000_000_000));
        Assert.False(again.HasSecret);
        var internalClient = new RegistryInternalService.RegistryInternalServiceClient(_registry.Channel);
        var credentials = await internalClient.GetWebhookCredentialsAsync(new GetWebhookCredentialsRequest { Platform = Platform.Vk, PageExternalId = again.ExternalId });
        Assert.Equal(("", ""), (credentials.Secret, credentials.ConfirmationCode));
    }

    [Fact]
    public async Task A_consumer_that_reconnects_from_its_last_version_misses_nothing()
    {
        var start = (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion;
        var first = NewId("feed");
        await CreateAuthority(first);

        var seen = new List<CatalogChange>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        using (var call = _client.WatchChanges(new WatchChangesRequest { FromVersion = start }, cancellationToken: cts.Token))
        {
            await foreach (var change in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                seen.Add(change);
                if (change.Authority?.Id == first && change.LastInVersion)
                {
                    break;
                }
            }
        }

        var position = seen[^1].Version;
        // While nobody watches, two more changes happen.
        var second = NewId("feed");
        var third = NewId("feed");
        await CreateAuthority(second);
        await CreateAuthority(third, parent: second);

        var resumed = new List<CatalogChange>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        using (var call = _client.WatchChanges(new WatchChangesRequest { FromVersion = position }, cancellationToken: cts.Token))
        {
            await foreach (var change in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                resumed.Add(change);
                if (change.Authority?.Id == third)
                {
                    break;
                }
            }
        }

        Assert.Equal([second, third], resumed.Select(c => c.Authority.Id));
        Assert.All(resumed, c => Assert.True(c.Version > position));
        Assert.Equal(resumed.Select(c => c.Version).Order(), resumed.Select(c => c.Version));
    }

    [Fact]
    public async Task A_consumer_behind_the_kept_history_is_told_to_reload()
    {
        await CreateAuthority(NewId("hist"));
        var current = (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion;
        await redis.Db.ExecuteAsync("XTRIM", "gp:{63}:registry:changes", "MINID", $"{current}-0");
        using var call = _client.WatchChanges(new WatchChangesRequest { FromVersion = 0 });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(call.ResponseStream.Current.ResetRequired);
        Assert.Equal(current, call.ResponseStream.Current.Version);
    }

    [Fact]
    public async Task A_change_made_through_the_API_reaches_routing_within_a_second_or_so()
    {
        await using var routing = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString,
            new Dictionary<string, string?> { ["Registry:Address"] = _registry.GrpcAddress });
        var classify = new RoutingService.RoutingServiceClient(routing.Channel);
        const string Text = "В Новинкограде на улице Мира огромная яма на дороге";
        var before = await Eventually.GrpcReady(() => classify.ClassifyAsync(new ClassifyRequest { Text = Text }).ResponseAsync);
        Assert.NotEqual("otradny", before.MunicipalityId);

        var otradny = (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 100, Kind = TerritoryKind.UrbanOkrug }))
            .Territories.Single(t => t.Id == "otradny");
        otradny.Aliases.Add("Новинкоград");
        var clock = Stopwatch.StartNew();
        await _client.UpdateTerritoryAsync(new UpdateTerritoryRequest { Territory = otradny });
        await Eventually.True(async () =>
            (await classify.ClassifyAsync(new ClassifyRequest { Text = Text })).MunicipalityId == "otradny", "routing to know the new alias");
        output.WriteLine($"The new alias reached routing {clock.ElapsedMilliseconds} ms after the update was answered.");
    }

    [Fact]
    public async Task A_follower_whose_feed_is_open_when_the_store_is_restored_is_told_to_reload()
    {
        var (routing, classify, followed) = await RoutingPastTheRestorePointAsync("Новоградск");
        await using (routing)
        {
            await RestoreAnOlderBackupAsync();
            await AnAliasAddedAfterTheRestoreReachesRoutingAsync(_client, classify, followed, "Новоградск");
        }
    }

    [Fact]
    public async Task A_follower_ahead_of_a_registry_restarted_on_a_restored_store_reloads_and_follows_it_again()
    {
        var (routing, classify, followed) = await RoutingPastTheRestorePointAsync("Староградск");
        await using (routing)
        {
            // The registry goes away, its store is restored, and it comes back at the same address: routing
            // reconnects from a position the registry refuses as ahead of it.
            var address = _registry.GrpcAddress;
            await _registry.DisposeAsync();
            await RestoreAnOlderBackupAsync();
            _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString,
                new Dictionary<string, string?> { ["Kestrel:Endpoints:grpc:Url"] = address });
            _registry.StartServer();
            using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(address);
            await AnAliasAddedAfterTheRestoreReachesRoutingAsync(new RegistryService.RegistryServiceClient(channel), classify, followed, "Староградск");
        }
    }

    [Fact]
    public async Task A_follower_ahead_of_a_restored_store_edited_past_its_version_reloads_the_registrys_catalogue()
    {
        // The follower holds a catalogue with authorities created after the backup.
        var backup = await BackUpTheRegistryStoreAsync();
        var lost = new[] { NewId("lost"), NewId("lost") };
        foreach (var id in lost)
        {
            await CreateAuthority(id);
        }

        var held = (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion;
        var address = _registry.GrpcAddress;
        using var followerChannel = Grpc.Net.Client.GrpcChannel.ForAddress(address);
        using var follower = new GovPublics.Common.Registry.CatalogCache(
            new RegistryService.RegistryServiceClient(followerChannel),
            Microsoft.Extensions.Options.Options.Create(new GovPublics.Common.Registry.CatalogCacheOptions()),
            Microsoft.Extensions.Options.Options.Create(new GovPublics.Common.Hosting.GovPublicsOptions()),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<GovPublics.Common.Registry.CatalogCache>.Instance);
        await follower.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.True(() => Task.FromResult(follower.Current.Version >= held && follower.Current.FindAuthority(lost[1]) is not null),
                "the follower to hold the catalogue with the authorities created after the backup");

            // The registry goes away (the follower keeps its catalogue and reconnects from its position), the backup is
            // restored, and another registry replica edits the restored catalogue past the follower's version: from
            // the follower's position on, the store's history looks like a plain continuation.
            await _registry.DisposeAsync();
            await RestoreRegistryStoreAsync(backup);
            var created = new List<string>();
            await using (var replica = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString))
            {
                var editor = new RegistryService.RegistryServiceClient(replica.Channel);
                var version = (await Eventually.GrpcReady(() => editor.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 }).ResponseAsync)).CatalogVersion;
                Assert.True(version < held, "the backup is older than the follower's catalogue");
                while (version <= held + 1)
                {
                    var id = NewId("after");
                    await CreateAuthority(id, on: editor);
                    created.Add(id);
                    version = (await editor.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion;
                }
            }

            // The registry comes back at the follower's address, on the restored and edited store.
            _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString,
                new Dictionary<string, string?> { ["Kestrel:Endpoints:grpc:Url"] = address });
            _registry.StartServer();
            using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(address);
            _client = new RegistryService.RegistryServiceClient(channel);
            var expected = await Eventually.GrpcReady(() => _client.ListAuthoritiesAsync(new ListAuthoritiesRequest { PageSize = 1000 }).ResponseAsync);
            var expectedIds = expected.Authorities.Select(a => a.Id).Order(StringComparer.Ordinal).ToList();
            Assert.Subset(expectedIds.ToHashSet(), created.ToHashSet());
            Assert.DoesNotContain(lost[0], expectedIds);

            await Eventually.True(() => Task.FromResult(follower.Current.Version == expected.CatalogVersion
                    && follower.Current.Authorities.Select(a => a.Id).Order(StringComparer.Ordinal).SequenceEqual(expectedIds)),
                "the follower to reload the registry's catalogue rather than apply the new history's changes to the old one",
                TimeSpan.FromSeconds(20));
            Assert.Null(follower.Current.FindAuthority(lost[0]));
            Assert.Null(follower.Current.FindAuthority(lost[1]));
            Assert.All(created, id => Assert.NotNull(follower.Current.FindAuthority(id)));
        }
        finally
        {
            await follower.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_watcher_resuming_from_a_version_a_restored_store_reached_again_by_other_commits_is_told_to_reload()
    {
        var backup = await BackUpTheRegistryStoreAsync();
        await CreateAuthority(NewId("lost"));
        await CreateAuthority(NewId("lost"));
        var held = await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 });
        Assert.NotEmpty(held.CatalogCommitId);

        await RestoreRegistryStoreAsync(backup);
        await Eventually.True(async () => (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion < held.CatalogVersion,
            "the registry to load the restored catalogue");
        async Task<ListTerritoriesResponse> EditedToAsync(long version)
        {
            while ((await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion < version)
            {
                await CreateAuthority(NewId("after"));
            }

            return await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 });
        }

        // The same version number, made by another commit; then past it.
        foreach (var target in new[] { held.CatalogVersion, held.CatalogVersion + 2 })
        {
            var current = await EditedToAsync(target);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var call = _client.WatchChanges(
                new WatchChangesRequest { FromVersion = held.CatalogVersion, FromCommitId = held.CatalogCommitId }, cancellationToken: cts.Token);
            Assert.True(await call.ResponseStream.MoveNext(cts.Token));
            var first = call.ResponseStream.Current;
            Assert.True(first.ResetRequired);
            Assert.Equal(current.CatalogVersion, first.Version);
            Assert.Equal(current.CatalogCommitId, first.CommitId);
        }

        // Resuming from the registry's own position still streams what comes next, each change with its commit.
        var now = await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 });
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            using var call = _client.WatchChanges(
                new WatchChangesRequest { FromVersion = now.CatalogVersion, FromCommitId = now.CatalogCommitId }, cancellationToken: cts.Token);
            var next = NewId("next");
            await CreateAuthority(next);
            Assert.True(await call.ResponseStream.MoveNext(cts.Token));
            var change = call.ResponseStream.Current;
            Assert.False(change.ResetRequired);
            Assert.Equal(next, change.Authority.Id);
            Assert.Equal((await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogCommitId, change.CommitId);
        }
    }

    [Fact]
    public async Task A_replica_holding_a_version_a_restored_store_reached_again_edits_the_stores_catalogue_not_its_own()
    {
        var backup = await BackUpTheRegistryStoreAsync();
        var lost = await CreateAuthority(NewId("lost"));

        // A replica that loaded the catalogue with the lost authority and does not look at the store again by itself.
        await using var replica = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString,
            new Dictionary<string, string?> { ["Registry:RefreshInterval"] = "01:00:00" });
        var onReplica = new RegistryService.RegistryServiceClient(replica.Channel);
        await Eventually.GrpcReady(() => onReplica.GetAuthorityAsync(new GetAuthorityRequest { Id = lost.Id }).ResponseAsync);

        // The backup is restored and edited back to the replica's version number by another registry.
        var held = (await onReplica.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion;
        await RestoreRegistryStoreAsync(backup);
        await Eventually.True(async () => (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion < held,
            "the registry to load the restored catalogue");
        while ((await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion < held)
        {
            await CreateAuthority(NewId("after"));
        }

        Assert.Equal(held, (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion);

        // An edit on the replica is worked out on the store's catalogue, where the authority does not exist.
        lost.Name += " (переименован)";
        var refused = await Assert.ThrowsAsync<RpcException>(() => onReplica.UpdateAuthorityAsync(new UpdateAuthorityRequest { Authority = lost }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => _client.GetAuthorityAsync(new GetAuthorityRequest { Id = lost.Id }).ResponseAsync);
    }

    /// <summary>A backup of the registry's store: every registry key, dumped.</summary>
    private async Task<Dictionary<string, byte[]>> BackUpTheRegistryStoreAsync()
    {
        var backup = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in RegistryKeys())
        {
            if (await redis.Db.KeyDumpAsync(key) is { } dump)
            {
                backup[key.ToString()] = dump;
            }
        }

        return backup;
    }

    /// <summary>What restoring a backup does: the registry's keys exactly as they were when it was taken.</summary>
    private async Task RestoreRegistryStoreAsync(Dictionary<string, byte[]> backup)
    {
        foreach (var key in RegistryKeys())
        {
            await redis.Db.KeyDeleteAsync(key);
        }

        foreach (var (key, dump) in backup)
        {
            await redis.Db.KeyRestoreAsync(key, dump);
        }
    }

    private List<StackExchange.Redis.RedisKey> RegistryKeys() =>
        [.. redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]).Keys(pattern: "gp:{63}:registry:*")];

    /// <summary>A complaint about a pothole in the town named <paramref name="alias"/>.</summary>
    private static ClassifyRequest PotholeIn(string alias) => new() { Text = $"В {alias}е на улице Мира огромная яма на дороге" };

    /// <summary>
    /// A routing host following this registry, ready, that does not know <paramref name="alias"/> yet. The
    /// catalogue is first moved at least three versions past the one a restore puts back (1): routing follows from
    /// the answered version or later, so it stays ahead of the restored registry even after the change made on it.
    /// </summary>
    private async Task<(ServiceHost<RoutingGrpcService> Routing, RoutingService.RoutingServiceClient Classify, long Followed)> RoutingPastTheRestorePointAsync(string alias)
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAuthority(NewId("bump"));
        }

        var followed = (await _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion;
        var routing = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString,
            new Dictionary<string, string?> { ["Registry:Address"] = _registry.GrpcAddress });
        var classify = new RoutingService.RoutingServiceClient(routing.Channel);
        var before = await Eventually.GrpcReady(() => classify.ClassifyAsync(PotholeIn(alias)).ResponseAsync);
        Assert.NotEqual("otradny", before.MunicipalityId);
        return (routing, classify, followed);
    }

    /// <summary>
    /// What restoring an older backup does to the registry's store: the version counter back to 1 and the change
    /// feed gone. Later tests read versions afresh from
    /// their own registry, so the counter left low upsets none of them.
    /// </summary>
    private async Task RestoreAnOlderBackupAsync()
    {
        await redis.Db.StringSetAsync("gp:{63}:registry:version", 1);
        await redis.Db.KeyDeleteAsync("gp:{63}:registry:changes");
    }

    private static async Task AnAliasAddedAfterTheRestoreReachesRoutingAsync(
        RegistryService.RegistryServiceClient registry, RoutingService.RoutingServiceClient classify, long followed, string alias)
    {
        await Eventually.True(async () => (await registry.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion == 1,
            "the registry to load the restored catalogue");
        var otradny = (await registry.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 100, Kind = TerritoryKind.UrbanOkrug }))
            .Territories.Single(t => t.Id == "otradny");
        otradny.Aliases.Add(alias);
        await registry.UpdateTerritoryAsync(new UpdateTerritoryRequest { Territory = otradny });
        Assert.True((await registry.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion < followed);

        await Eventually.True(async () => (await classify.ClassifyAsync(PotholeIn(alias))).MunicipalityId == "otradny",
            "routing to reload the restored catalogue and see the alias added after the restore", TimeSpan.FromSeconds(20));
    }
}

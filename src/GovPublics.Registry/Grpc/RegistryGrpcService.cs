using GovPublics.Catalog;
using GovPublics.Common.Grpc;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Registry.Domain;
using GovPublics.Registry.Storage;
using Grpc.Core;
using Authority = GovPublics.Contracts.Registry.V1.Authority;

namespace GovPublics.Registry.Grpc;

/// <summary>The registry's read API: validate, look up in the in-memory catalogue, map.</summary>
public sealed class RegistryGrpcService(
    RegistryCatalog catalog, RegistryStore store, RegistryKnowledge knowledge, ILogger<RegistryGrpcService> logger) : RegistryService.RegistryServiceBase
{
    /// <summary>How many of an import's problems its refusal names at most (see <see cref="Refusal"/>).</summary>
    private const int MaxRefusalViolations = 100;

    /// <summary>How many UTF-8 bytes of fields and descriptions an import's refusal carries at most (see <see cref="Refusal"/>).</summary>
    private const int MaxRefusalBytes = 8 * 1024;

    /// <summary>How often an idle change feed looks for new changes: a change reaches watchers well within a second.</summary>
    private static readonly TimeSpan _feedPoll = TimeSpan.FromMilliseconds(100);

    public override Task<ResolvePageResponse> ResolvePage(ResolvePageRequest request, ServerCallContext context)
    {
        var v = new Validator();
        if (request.Platform == Contracts.Common.V1.Platform.Unspecified)
        {
            v.Add("platform", "is required");
        }

        v.Require("external_id", request.ExternalId).ThrowIfInvalid();
        var snapshot = Snapshot();
        var page = snapshot.FindPage(request.Platform.ToDomain(), request.ExternalId.Trim())
            ?? throw new EntityNotFoundException("page", $"{request.Platform} {request.ExternalId}");
        var owner = snapshot.FindAuthority(page.OwnerAuthorityId);
        return Task.FromResult(new ResolvePageResponse { Page = WithVersion(page), Owner = owner is null ? null : WithVersion(owner) });
    }

    public override Task<Authority> GetAuthority(GetAuthorityRequest request, ServerCallContext context)
    {
        new Validator().Require("id", request.Id).ThrowIfInvalid();
        var authority = Snapshot().FindAuthority(request.Id) ?? throw new EntityNotFoundException("authority", request.Id);
        return Task.FromResult(WithVersion(authority));
    }

    public override Task<ListAuthoritiesResponse> ListAuthorities(ListAuthoritiesRequest request, ServerCallContext context)
    {
        var snapshot = Snapshot();
        var matching = snapshot.Authorities.Where(a =>
            (request.Kind == Contracts.Registry.V1.AuthorityKind.Unspecified || (int)a.Kind == (int)request.Kind)
            && (request.TerritoryId.Length == 0 || a.TerritoryId == request.TerritoryId)
            && (request.ParentId.Length == 0 || a.ParentId == request.ParentId)).ToList();
        var (items, next) = Paging.Page(matching, a => a.Id, request.PageSize, request.PageToken);
        return Task.FromResult(new ListAuthoritiesResponse
        {
            Authorities = { items.Select(WithVersion) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
            CatalogCommitId = snapshot.CommitId,
        });
    }

    public override Task<ListPagesResponse> ListPages(ListPagesRequest request, ServerCallContext context)
    {
        var snapshot = Snapshot();
        var matching = snapshot.Pages.Where(p =>
            (request.Platform == Contracts.Common.V1.Platform.Unspecified || p.Platform == request.Platform.ToDomain())
            && (request.OwnerAuthorityId.Length == 0 || p.OwnerAuthorityId == request.OwnerAuthorityId)
            && (request.Kind == Contracts.Registry.V1.PageKind.Unspecified || (int)p.Kind == (int)request.Kind)
            && (request.Status == Contracts.Registry.V1.PageStatus.Unspecified || (int)p.Status == (int)request.Status)).ToList();
        var (items, next) = Paging.Page(matching, p => p.Id, request.PageSize, request.PageToken);
        return Task.FromResult(new ListPagesResponse
        {
            Pages = { items.Select(WithVersion) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
            CatalogCommitId = snapshot.CommitId,
        });
    }

    public override Task<ListTerritoriesResponse> ListTerritories(ListTerritoriesRequest request, ServerCallContext context)
    {
        var snapshot = Snapshot();
        var matching = snapshot.Territories.Where(t =>
            (request.Kind == Contracts.Registry.V1.TerritoryKind.Unspecified || t.Kind == request.Kind.ToDomain())
            && (request.ParentId.Length == 0 || t.ParentId == request.ParentId)).ToList();
        var (items, next) = Paging.Page(matching, t => t.Id, request.PageSize, request.PageToken);
        return Task.FromResult(new ListTerritoriesResponse
        {
            Territories = { items.Select(WithVersion) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
            CatalogCommitId = snapshot.CommitId,
        });
    }

    public override Task<ListJurisdictionRulesResponse> ListJurisdictionRules(ListJurisdictionRulesRequest request, ServerCallContext context)
    {
        var snapshot = Snapshot();
        var matching = snapshot.Rules.Where(r => request.Topic.Length == 0 || r.Topic == request.Topic).ToList();
        var (items, next) = Paging.Page(matching, r => r.Id, request.PageSize, request.PageToken);
        return Task.FromResult(new ListJurisdictionRulesResponse
        {
            Rules = { items.Select(WithVersion) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
            CatalogCommitId = snapshot.CommitId,
        });
    }

    public override Task<ResolveResponsibleResponse> ResolveResponsible(ResolveResponsibleRequest request, ServerCallContext context)
    {
        new Validator().Require("topic", request.Topic).Require("territory_id", request.TerritoryId).ThrowIfInvalid();
        var snapshot = Snapshot();
        if (snapshot.FindTerritory(request.TerritoryId) is null)
        {
            throw new EntityNotFoundException("territory", request.TerritoryId);
        }

        var match = snapshot.ResolveResponsible(request.Topic, request.Subtopic, request.TerritoryId)
            ?? throw new EntityNotFoundException("jurisdiction rule", $"{request.Topic}/{request.Subtopic} on {request.TerritoryId}");
        return Task.FromResult(new ResolveResponsibleResponse
        {
            Authority = WithVersion(match.Authority),
            Rule = WithVersion(match.Rule),
            MatchedTerritoryId = match.MatchedTerritoryId,
        });
    }

    public override Task<GetEscalationChainResponse> GetEscalationChain(GetEscalationChainRequest request, ServerCallContext context)
    {
        new Validator().Require("authority_id", request.AuthorityId).ThrowIfInvalid();
        var chain = Snapshot().EscalationChain(request.AuthorityId);
        if (chain.Count == 0)
        {
            throw new EntityNotFoundException("authority", request.AuthorityId);
        }

        return Task.FromResult(new GetEscalationChainResponse { Chain = { chain.Select(WithVersion) } });
    }

    public override Task<Contracts.Registry.V1.Territory> CreateTerritory(CreateTerritoryRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Territories, Required(request.Territory, "territory").ToDto(), null, id => WithVersion(Snapshot().FindTerritory(id)!));

    public override Task<Contracts.Registry.V1.Territory> UpdateTerritory(UpdateTerritoryRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Territories, Required(request.Territory, "territory").ToDto(), request.Territory.Version, id => WithVersion(Snapshot().FindTerritory(id)!));

    public override Task<ArchiveResponse> ArchiveTerritory(ArchiveRequest request, ServerCallContext context) =>
        Archive(EntitySets.Territories, request);

    public override Task<Authority> CreateAuthority(CreateAuthorityRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Authorities, Required(request.Authority, "authority").ToDto(), null, id => WithVersion(Snapshot().FindAuthority(id)!));

    public override Task<Authority> UpdateAuthority(UpdateAuthorityRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Authorities, Required(request.Authority, "authority").ToDto(), request.Authority.Version, id => WithVersion(Snapshot().FindAuthority(id)!));

    public override Task<ArchiveResponse> ArchiveAuthority(ArchiveRequest request, ServerCallContext context) =>
        Archive(EntitySets.Authorities, request);

    public override Task<Contracts.Registry.V1.Page> CreatePage(CreatePageRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Pages, Required(request.Page, "page").ToDto(), null, id => WithVersion(Snapshot().FindPage(id)!));

    public override Task<Contracts.Registry.V1.Page> UpdatePage(UpdatePageRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Pages, Required(request.Page, "page").ToDto(), request.Page.Version, id => WithVersion(Snapshot().FindPage(id)!));

    public override Task<ArchiveResponse> ArchivePage(ArchiveRequest request, ServerCallContext context) =>
        Archive(EntitySets.Pages, request);

    public override async Task<Contracts.Registry.V1.Page> SetPageSecret(SetPageSecretRequest request, ServerCallContext context)
    {
        new Validator().Require("page_id", request.PageId).ThrowIfInvalid();
        await catalog.EditAsync(stored => CatalogEditor.SetSecret(stored, request.PageId.Trim(), request.Version, request.Secret, request.ConfirmationCode));
        return WithVersion(Snapshot().FindPage(request.PageId.Trim())!);
    }

    public override Task<Contracts.Registry.V1.JurisdictionRule> CreateJurisdictionRule(CreateJurisdictionRuleRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Rules, Required(request.Rule, "rule").ToDto(), null, id => WithVersion(Snapshot().Rules.Single(r => r.Id == id)));

    public override Task<Contracts.Registry.V1.JurisdictionRule> UpdateJurisdictionRule(UpdateJurisdictionRuleRequest request, ServerCallContext context) =>
        SaveAsync(EntitySets.Rules, Required(request.Rule, "rule").ToDto(), request.Rule.Version, id => WithVersion(Snapshot().Rules.Single(r => r.Id == id)));

    public override Task<ArchiveResponse> ArchiveJurisdictionRule(ArchiveRequest request, ServerCallContext context) =>
        Archive(EntitySets.Rules, request);

    public override async Task<ImportCatalogResponse> ImportCatalog(ImportCatalogRequest request, ServerCallContext context)
    {
        var batch = ParseImport(request);
        ImportPlan? plan = null;
        long version;
        if (request.DryRun)
        {
            await catalog.RefreshAsync();
            plan = CatalogImport.Plan(Snapshot(), batch, request.SkipBadRows);
            version = Snapshot().Version;
        }
        else
        {
            try
            {
                (_, version) = await catalog.EditAsync(stored =>
                {
                    plan = CatalogImport.Plan(stored.Document.ToSnapshot(stored.Version), batch, request.SkipBadRows);
                    if (!plan.CanApply || (plan.Errors.Count > 0 && !request.SkipBadRows))
                    {
                        throw new ImportRefusedException();
                    }

                    return new CatalogEdit([.. ImportOps(plan)], null, []);
                });
            }
            catch (ImportRefusedException)
            {
                throw Refusal(plan!.Errors);
            }
        }

        var response = new ImportCatalogResponse
        {
            Applied = !request.DryRun,
            CatalogVersion = version,
            Created = { plan!.Created.Select(e => e.ToString()) },
            Updated = { plan.Updated.Select(e => e.ToString()) },
            Unchanged = plan.Unchanged.Count,
            RejectedRows = { plan.RejectedRows },
        };
        response.Errors.Add(plan.Errors.Select(ToRowError));
        return response;
    }

    public override Task<ExportCatalogResponse> ExportCatalog(ExportCatalogRequest request, ServerCallContext context)
    {
        var snapshot = Snapshot();
        var (content, type) = request.Format switch
        {
            CatalogFormat.Json => (CatalogDocument.FromSnapshot(snapshot, catalog.Stored.Document.RegionCode).ToJson(), "application/json"),
            CatalogFormat.CsvPages => (CatalogCsv.FormatPages(snapshot.Pages), "text/csv"),
            _ => throw new ValidationFailedException("format", "is required: CATALOG_FORMAT_JSON or CATALOG_FORMAT_CSV_PAGES"),
        };
        return Task.FromResult(new ExportCatalogResponse
        {
            Format = request.Format,
            Content = Google.Protobuf.ByteString.CopyFromUtf8(content),
            CatalogVersion = snapshot.Version,
            ContentType = type,
        });
    }

    private static ImportBatch ParseImport(ImportCatalogRequest request)
    {
        if (request.Content.IsEmpty)
        {
            throw new ValidationFailedException("content", "is required");
        }

        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(request.Content.Span);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new ValidationFailedException("content", "is not UTF-8 text");
        }

        switch (request.Format)
        {
            case CatalogFormat.Json:
                try
                {
                    return ImportBatch.FromDocument(CatalogDocument.Parse(text));
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw new ValidationFailedException("content", $"is not a catalogue JSON document: {ex.Message}");
                }

            case CatalogFormat.CsvPages:
                return ImportBatch.FromCsvPages(CatalogCsv.ParsePages(text));
            default:
                throw new ValidationFailedException("format", "is required: CATALOG_FORMAT_JSON or CATALOG_FORMAT_CSV_PAGES");
        }
    }

    /// <summary>An upsert for every entity the plan creates or updates, taken from the merged catalogue.</summary>
    private static IEnumerable<CatalogOp> ImportOps(ImportPlan plan)
    {
        var result = plan.Result!;
        foreach (var entry in plan.Created.Concat(plan.Updated))
        {
            object entity = entry.Set switch
            {
                EntitySets.Territories => result.Territories.Single(t => t.Id == entry.Id),
                EntitySets.Authorities => result.Authorities.Single(a => a.Id == entry.Id),
                EntitySets.Pages => result.Pages.Single(p => p.Id == entry.Id),
                _ => result.Rules.Single(r => r.Id == entry.Id),
            };
            yield return new CatalogOp(CatalogOp.Upsert, entry.Set, entry.Id,
                System.Text.Json.JsonSerializer.Serialize(entity, entity.GetType(), CatalogDocument.JsonOptions));
        }
    }

    private static ImportRowError ToRowError(CatalogError error)
    {
        var colon = error.Message.IndexOf(':', StringComparison.Ordinal);
        return new ImportRowError
        {
            Row = error.Path,
            EntityId = error.EntityId,
            Field = colon > 0 ? error.Message[..colon] : "",
            Description = colon > 0 ? error.Message[(colon + 1)..].Trim() : error.Message,
        };
    }

    private static GovPublics.Catalog.FieldViolation ToViolation(CatalogError error)
    {
        var row = ToRowError(error);
        return new GovPublics.Catalog.FieldViolation(row.Field.Length > 0 ? $"{row.Row}.{row.Field}" : row.Row, row.Description);
    }

    /// <summary>
    /// The refusal of an import with bad rows: the first problems as field violations, within
    /// <see cref="MaxRefusalViolations"/> and <see cref="MaxRefusalBytes"/>, then how many more there are. The status
    /// travels in the HTTP/2 trailers (message and details, at most 64 KiB with the headers, the message
    /// percent-encoded); all of a large import's problems would exceed that, and the client would see the call
    /// broken (UNAVAILABLE) instead of what is wrong. A dry run answers every problem in its response body.
    /// </summary>
    private static ValidationFailedException Refusal(IReadOnlyList<CatalogError> errors)
    {
        var (listed, left) = GovPublics.Catalog.FieldViolation.FirstWithin([.. errors.Select(ToViolation)], MaxRefusalViolations, MaxRefusalBytes);
        return new ValidationFailedException(left == 0 ? listed :
        [
            .. listed,
            new GovPublics.Catalog.FieldViolation("content", $"and {left} more problem(s) not listed here; send the import with dry_run to list them all"),
        ]);
    }

    /// <summary>Ends an import edit without storing anything; the plan's errors are reported instead.</summary>
    private sealed class ImportRefusedException : Exception;

    public override async Task WatchChanges(WatchChangesRequest request, IServerStreamWriter<CatalogChange> responseStream, ServerCallContext context)
    {
        if (request.FromVersion < 0)
        {
            throw new ValidationFailedException("from_version", "must not be negative");
        }

        var head = await store.GetHeadAsync();
        var current = head.Version;
        var oldest = await store.OldestChangeVersionAsync();
        if (request.FromVersion > current)
        {
            throw new ValidationFailedException("from_version", $"is ahead of the catalogue (version {current}); reload the catalogue");
        }

        if (request.FromVersion < current && (oldest is null || oldest > request.FromVersion + 1))
        {
            await responseStream.WriteAsync(ResetTo(head));
            return;
        }

        // The position is a version AND the commit that made it: the same version made by another commit (the store
        // restored or re-created, then edited past the position) is another history, and its changes would not fit
        // the consumer's catalogue. Checked here for the current version, and on every next change below.
        var position = request.FromVersion;
        var commit = request.FromCommitId;
        if (commit.Length > 0 && position == current && head.CommitId != commit)
        {
            logger.LogWarning("Change feed asked from version {Position} of commit {Commit}, but the catalogue's version {Position} is commit {Current}: telling the watcher to reload",
                position, commit, position, head.CommitId);
            await responseStream.WriteAsync(ResetTo(head));
            return;
        }

        var after = $"{position}-{int.MaxValue}";
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var changes = await store.ReadChangesAfterAsync(after, 500);
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                if (!change.Follows(position, commit))
                {
                    logger.LogWarning("The catalogue's history after version {Position} (commit {Commit}) was replaced (its store restored or re-created): telling the watcher to reload",
                        position, commit);
                    await responseStream.WriteAsync(ResetTo(await store.GetHeadAsync()), context.CancellationToken);
                    return;
                }

                var last = i + 1 < changes.Count ? changes[i + 1].Version != change.Version : changes.Count < 500 || await store.IsLastOfVersionAsync(change);
                await responseStream.WriteAsync(ToProto(change, last), context.CancellationToken);
                after = $"{change.Version}-{change.Index}";
                position = change.Version;
                commit = change.CommitId;
            }

            if (changes.Count == 0)
            {
                // The version is set by the same script that appends the changes, so it never goes below a change
                // already sent, except when the store was put back (a backup restored, a re-seed): the changes after
                // this position will never come. Tell the watcher to reload, as for a position older than the history.
                if (await store.GetHeadAsync() is var now && now.Version < position)
                {
                    logger.LogWarning("The catalogue went back from version {Position} to {Now} under a change feed: telling the watcher to reload", position, now.Version);
                    await responseStream.WriteAsync(ResetTo(now), context.CancellationToken);
                    return;
                }

                await Task.Delay(_feedPoll, context.CancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        logger.LogDebug("Change feed closed at {Position}", after);
    }

    public override async Task<ListKnowledgeResponse> ListKnowledge(ListKnowledgeRequest request, ServerCallContext context)
    {
        var listing = await knowledge.ListAsync();
        return new ListKnowledgeResponse
        {
            Documents = { listing.Documents.Select(KnowledgeProtoMapping.ToInfo) },
            CatalogVersion = listing.CatalogVersion,
            CatalogCommitId = listing.CatalogCommitId,
            KnowledgeVersion = listing.KnowledgeVersion,
        };
    }

    public override async Task<KnowledgeDocument> GetKnowledge(GetKnowledgeRequest request, ServerCallContext context)
    {
        var document = await knowledge.GetAsync(request.Name.Trim(), request.Version);
        return new KnowledgeDocument { Info = KnowledgeProtoMapping.ToInfo(document), Content = document.Content };
    }

    public override async Task<UpdateKnowledgeResponse> UpdateKnowledge(UpdateKnowledgeRequest request, ServerCallContext context) =>
        KnowledgeProtoMapping.ToProto(await knowledge.UpdateAsync(
            request.Name.Trim(), request.Content, request.ExpectedVersion, request.UpdatedBy, request.Comment, request.DryRun));

    public override async Task<UpdateKnowledgeResponse> RollbackKnowledge(RollbackKnowledgeRequest request, ServerCallContext context) =>
        KnowledgeProtoMapping.ToProto(await knowledge.RollbackAsync(
            request.Name.Trim(), request.ToVersion, request.ExpectedVersion, request.UpdatedBy, request.Comment, request.DryRun));

    /// <summary>Creates (no expected version) or updates an entity, then answers it as stored, with its version.</summary>
    private async Task<T> SaveAsync<TDto, T>(string set, TDto dto, long? expectedVersion, Func<string, T> read)
        where TDto : class
    {
        var id = dto switch
        {
            TerritoryDto t => t.Id,
            AuthorityDto a => a.Id,
            PageDto p => p.Id,
            RuleDto r => r.Id,
            _ => throw new ArgumentException("not a catalogue entity", nameof(dto)),
        };
        await catalog.EditAsync(stored => expectedVersion is { } version
            ? CatalogEditor.Update(stored, set, dto, version)
            : CatalogEditor.Create(stored, set, dto));
        return read(id);
    }

    private async Task<ArchiveResponse> Archive(string set, ArchiveRequest request)
    {
        new Validator().Require("id", request.Id).ThrowIfInvalid();
        var successor = request.Successor?.ToDto();
        var (edit, version) = await catalog.EditAsync(stored =>
            CatalogEditor.Archive(stored, set, request.Id.Trim(), request.Version, request.ReassignTo.Trim(), successor));
        return new ArchiveResponse
        {
            CatalogVersion = version,
            Reassigned = { edit.Reassigned },
            Archived = { edit.Ops.Where(o => o.Kind == CatalogOp.Archive).Select(o => $"{o.Set}/{o.Id}") },
            Created = { successor is null ? [] : [$"{EntitySets.Authorities}/{successor.Id}"] },
        };
    }

    /// <summary>The feed's "reload the catalogue, then watch from <paramref name="head"/>" message.</summary>
    private static CatalogChange ResetTo(StoreHead head) =>
        new() { ResetRequired = true, Version = head.Version, CommitId = head.CommitId, LastInVersion = true };

    private static CatalogChange ToProto(StoredChange change, bool lastInVersion)
    {
        var proto = new CatalogChange
        {
            Version = change.Version,
            Kind = change.Kind == CatalogOp.Archive ? ChangeKind.Archive : ChangeKind.Upsert,
            LastInVersion = lastInVersion,
            CommitId = change.CommitId,
        };
        var upsert = change.Kind != CatalogOp.Archive;
        T Read<T>() => System.Text.Json.JsonSerializer.Deserialize<T>(change.Json, CatalogDocument.JsonOptions)!;
        switch (change.Set)
        {
            case KnowledgeStore.ChangeSet:
                using (var data = System.Text.Json.JsonDocument.Parse(change.Json))
                {
                    proto.Knowledge = new KnowledgeChange { Name = change.Id, Version = data.RootElement.GetProperty("version").GetInt64() };
                }

                break;
            case EntitySets.Territories:
                proto.Territory = upsert ? Read<TerritoryDto>().ToProto() : new() { Id = change.Id };
                proto.Territory.Version = change.Version;
                break;
            case EntitySets.Authorities:
                proto.Authority = upsert ? Read<AuthorityDto>().ToProto() : new() { Id = change.Id };
                proto.Authority.Version = change.Version;
                break;
            case EntitySets.Pages:
                proto.Page = upsert ? Read<PageDto>().ToProto() : new() { Id = change.Id };
                proto.Page.Version = change.Version;
                break;
            default:
                proto.Rule = upsert ? Read<RuleDto>().ToProto() : new() { Id = change.Id };
                proto.Rule.Version = change.Version;
                break;
        }

        return proto;
    }

    private static T Required<T>(T? message, string field)
        where T : class =>
        message ?? throw new ValidationFailedException(field, "is required");

    private Contracts.Registry.V1.Territory WithVersion(GovPublics.Catalog.Territory t)
    {
        var proto = t.ToProto();
        proto.Version = catalog.Stored.VersionOf(EntitySets.Territories, t.Id);
        return proto;
    }

    private Authority WithVersion(GovPublics.Catalog.Authority a)
    {
        var proto = a.ToProto();
        proto.Version = catalog.Stored.VersionOf(EntitySets.Authorities, a.Id);
        return proto;
    }

    private Contracts.Registry.V1.Page WithVersion(GovPublics.Catalog.Page p)
    {
        var proto = p.ToProto();
        proto.Version = catalog.Stored.VersionOf(EntitySets.Pages, p.Id);
        proto.HasSecret = catalog.Stored.PagesWithSecret.Contains(p.Id);
        return proto;
    }

    private Contracts.Registry.V1.JurisdictionRule WithVersion(GovPublics.Catalog.JurisdictionRule r)
    {
        var proto = r.ToProto();
        proto.Version = catalog.Stored.VersionOf(EntitySets.Rules, r.Id);
        return proto;
    }

    private CatalogSnapshot Snapshot() =>
        catalog.IsLoaded
            ? catalog.Current
            : throw new RpcException(new Status(StatusCode.Unavailable, "The catalogue is still loading; retry shortly."));
}

using GovPublics.Catalog;
using GovPublics.Common.Grpc;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Registry.Storage;
using Grpc.Core;
using Authority = GovPublics.Contracts.Registry.V1.Authority;

namespace GovPublics.Registry.Grpc;

/// <summary>The registry's read API: validate, look up in the in-memory catalogue, map.</summary>
public sealed class RegistryGrpcService(RegistryCatalog catalog) : RegistryService.RegistryServiceBase
{
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
        return Task.FromResult(new ResolvePageResponse { Page = page.ToProto(), Owner = owner?.ToProto() });
    }

    public override Task<Authority> GetAuthority(GetAuthorityRequest request, ServerCallContext context)
    {
        new Validator().Require("id", request.Id).ThrowIfInvalid();
        var authority = Snapshot().FindAuthority(request.Id) ?? throw new EntityNotFoundException("authority", request.Id);
        return Task.FromResult(authority.ToProto());
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
            Authorities = { items.Select(a => a.ToProto()) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
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
            Pages = { items.Select(p => p.ToProto()) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
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
            Territories = { items.Select(t => t.ToProto()) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
        });
    }

    public override Task<ListJurisdictionRulesResponse> ListJurisdictionRules(ListJurisdictionRulesRequest request, ServerCallContext context)
    {
        var snapshot = Snapshot();
        var matching = snapshot.Rules.Where(r => request.Topic.Length == 0 || r.Topic == request.Topic).ToList();
        var (items, next) = Paging.Page(matching, r => r.Id, request.PageSize, request.PageToken);
        return Task.FromResult(new ListJurisdictionRulesResponse
        {
            Rules = { items.Select(r => r.ToProto()) },
            NextPageToken = next,
            TotalSize = matching.Count,
            CatalogVersion = snapshot.Version,
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
            Authority = match.Authority.ToProto(),
            Rule = match.Rule.ToProto(),
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

        return Task.FromResult(new GetEscalationChainResponse { Chain = { chain.Select(a => a.ToProto()) } });
    }

    private CatalogSnapshot Snapshot() =>
        catalog.IsLoaded
            ? catalog.Current
            : throw new RpcException(new Status(StatusCode.Unavailable, "The catalogue is still loading; retry shortly."));
}

using GovPublics.Catalog;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Registry.Storage;
using Grpc.Core;

namespace GovPublics.Registry.Grpc;

/// <summary>Webhook credentials for ingestion. Mapped on the registry's own endpoint; the gateway does not route it.</summary>
public sealed class RegistryInternalGrpcService(RegistryCatalog catalog, RegistryStore store) : RegistryInternalService.RegistryInternalServiceBase
{
    public override async Task<WebhookCredentials> GetWebhookCredentials(GetWebhookCredentialsRequest request, ServerCallContext context)
    {
        var v = new Validator();
        if (request.Platform == Contracts.Common.V1.Platform.Unspecified)
        {
            v.Add("platform", "is required");
        }

        v.Require("page_external_id", request.PageExternalId).ThrowIfInvalid();
        if (!catalog.IsLoaded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The catalogue is still loading; retry shortly."));
        }

        var snapshot = catalog.Current;
        var page = snapshot.FindPage(request.Platform.ToDomain(), request.PageExternalId.Trim())
            ?? throw new EntityNotFoundException("page", $"{request.Platform} {request.PageExternalId}");
        var secret = await store.GetSecretAsync(page.Id);
        return new WebhookCredentials
        {
            PageId = page.Id,
            OwnerAuthorityId = page.OwnerAuthorityId,
            Secret = secret?.Secret ?? "",
            ConfirmationCode = secret?.Confirmation ?? "",
            Active = page.Status != GovPublics.Catalog.PageStatus.Archived,
            CatalogVersion = snapshot.Version,
            LinkedExternalId = page.LinkedExternalId,
        };
    }
}

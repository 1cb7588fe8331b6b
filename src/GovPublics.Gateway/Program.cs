using GovPublics.Gateway.Access;
using GovPublics.Gateway.Limits;
using GovPublics.Gateway.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver();

// Who may call what: the Auth section, or the file Auth:ClientsFile names, watched so tokens are added and revoked
// without a restart. Checked at start, so a broken client list stops the gateway instead of refusing everyone.
GatewayAuthOptions.Configure(builder.Services, builder.Configuration);
builder.Services.AddSingleton<AccessRulesSource>();
builder.Services.AddHealthChecks().AddCheck<ClientListHealthCheck>("clients");

var browserAccess = builder.AddBrowserAccess();
builder.AddGatewayLimits();

var app = builder.Build();
var rules = app.Services.GetRequiredService<AccessRulesSource>();
app.MapDefaultEndpoints();
app.UseBrowserAccess(browserAccess);
app.UseMiddleware<GrpcAccessMiddleware>();
app.UseRateLimiter();
app.MapReverseProxy();
if (rules.Current.ClientCount == 0)
{
    app.Logger.LogWarning("No gRPC clients are configured (Auth:Clients): every gRPC call will be refused with UNAUTHENTICATED");
}

app.Run();

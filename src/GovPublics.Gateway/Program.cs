using GovPublics.Gateway.Access;
using GovPublics.Gateway.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver();

// Who may call what: checked at start, so a broken client list stops the gateway instead of refusing everyone.
builder.Services.AddSingleton(new AccessRules(
    builder.Configuration.GetSection(GatewayAuthOptions.Section).Get<GatewayAuthOptions>() ?? new GatewayAuthOptions()));

var browserAccess = builder.AddBrowserAccess();

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseBrowserAccess(browserAccess);
app.UseMiddleware<GrpcAccessMiddleware>();
app.MapReverseProxy();
if (app.Services.GetRequiredService<AccessRules>().ClientCount == 0)
{
    app.Logger.LogWarning("No gRPC clients are configured (Auth:Clients): every gRPC call will be refused with UNAUTHENTICATED");
}

app.Run();

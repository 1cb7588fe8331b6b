using GovPublics.Common.Hosting;
using GovPublics.Routing;
using GovPublics.Routing.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGovPublicsCore();
builder.AddRoutingServices();

var app = builder.Build();
app.MapGrpcService<RoutingGrpcService>();
app.MapGovPublicsDefaults();
app.Run();

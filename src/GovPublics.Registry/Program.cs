using GovPublics.Common.Hosting;
using GovPublics.Registry;
using GovPublics.Registry.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGovPublicsCore();
builder.AddRegistryServices();

var app = builder.Build();
app.MapGrpcService<RegistryGrpcService>();
app.MapGrpcService<RegistryInternalGrpcService>();
app.MapGovPublicsDefaults();
app.Run();

using GovPublics.Common.Hosting;
using GovPublics.Ingestion;
using GovPublics.Ingestion.Grpc;
using GovPublics.Ingestion.Webhooks;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGovPublicsCore();
builder.AddIngestionServices();

var app = builder.Build();
app.MapGrpcService<IngestionGrpcService>();
app.MapPlatformWebhooks();
app.MapGovPublicsDefaults();
app.Run();

using GovPublics.Common.Hosting;
using GovPublics.Ingestion;
using GovPublics.Ingestion.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGovPublicsCore();
builder.AddIngestionServices();

var app = builder.Build();
app.MapGrpcService<IngestionGrpcService>();
app.MapGovPublicsDefaults();
app.Run();

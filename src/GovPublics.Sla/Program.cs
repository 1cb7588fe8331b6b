using GovPublics.Common.Hosting;
using GovPublics.Sla;
using GovPublics.Sla.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGovPublicsCore();
builder.AddSlaServices();

var app = builder.Build();
app.MapGrpcService<SlaGrpcService>();
app.MapGrpcService<AnalyticsGrpcService>();
app.MapGovPublicsDefaults();
app.Run();

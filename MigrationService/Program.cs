using AddressBook.Api.Data;
using AddressBook.MigrationService;
using OpenTelemetry.Trace;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(Worker.ActivitySourceName));
builder.AddAddressBookDbContext(npgsql => npgsql.MigrationsAssembly(typeof(Worker).Assembly.GetName().Name));
builder.Services.AddHostedService<Worker>();

builder.Build().Run();

using AddressBook;
using AddressBook.Api.Data;
using AddressBook.MigrationService;
using OpenTelemetry.Trace;

// The usual start, with nothing to migrate, is told and done before any host is built (AppliedMigrations).
var settings = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
if (await AppliedMigrations.AllRecordedAsync(settings.GetConnectionString(ResourceNames.Database)))
{
    Console.WriteLine(AppliedMigrations.UpToDateMessage);
    return;
}

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(Worker.ActivitySourceName));
builder.AddAddressBookDbContext(npgsql => npgsql.MigrationsAssembly(typeof(Worker).Assembly.GetName().Name));
builder.Services.AddHostedService<Worker>();

builder.Build().Run();

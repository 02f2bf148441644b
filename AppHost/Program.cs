using AddressBook;
using AddressBook.AppHost;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres(ResourceNames.Postgres)
    .WithDataVolume()
    .WithRestartPolicy();
var db = postgres.AddDatabase(ResourceNames.Database);

// Generated on the first run and kept with the data; the console shows them masked and where they are kept.
var apiKey = new GenerateParameterDefault { MinLength = 32 };
var readOnlyKey = builder.AddParameter(ResourceNames.ApiReadOnlyKey, apiKey, secret: true, persist: true);
var readWriteKey = builder.AddParameter(ResourceNames.ApiReadWriteKey, apiKey, secret: true, persist: true);

var migrations = builder.AddProject<Projects.MigrationService>(ResourceNames.Migrations)
    .WithReference(db)
    .WaitFor(db);

// What pm2 gave the tutorial: 4 instances, restarts with backoff (20 at most), a 200 MB memory ceiling.
var api = builder.AddProject<Projects.Api>(ResourceNames.Api)
    .WithReplicas(4)
    .WithRestartPolicy(maxRestarts: 20)
    .WithMemoryLimit(megabytes: 200)
    .WithReference(db)
    .WaitForCompletion(migrations)
    .WithHttpEndpoint(port: 3000)
    .WithExternalHttpEndpoints()
    .WithHttpProbe(ProbeType.Readiness, HealthEndpointPaths.Health)
    .WithHttpProbe(ProbeType.Liveness, HealthEndpointPaths.Alive);

// Deployments always require the keys; a local run, whose endpoint listens on loopback only, may go without.
if (builder.ExecutionContext.IsPublishMode || builder.Configuration.GetValue("ApiKeys:Required", defaultValue: true))
{
    api.WithEnvironment("ApiKeys__ReadOnly", readOnlyKey)
        .WithEnvironment("ApiKeys__ReadWrite", readWriteKey);
}

// HTTPS once a certificate is configured (Https:Certificate:Path, with KeyPath or Password); plain HTTP then redirects.
if (HttpsCertificate.FromConfiguration(builder.Configuration) is { } certificate)
{
    api.WithHttpsEndpoint(port: 3443)
        .WithHttpsCertificate(certificate);
}

builder.Build().Run();

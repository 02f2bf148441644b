using AddressBook;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres(ResourceNames.Postgres)
    .WithDataVolume()
    .WithRestartPolicy();
var db = postgres.AddDatabase(ResourceNames.Database);

var migrations = builder.AddProject<Projects.MigrationService>(ResourceNames.Migrations)
    .WithReference(db)
    .WaitFor(db);

// What pm2 gave the tutorial: 4 instances, restarts with backoff (20 at most), a 200 MB memory ceiling.
builder.AddProject<Projects.Api>(ResourceNames.Api)
    .WithReplicas(4)
    .WithRestartPolicy(maxRestarts: 20)
    .WithMemoryLimit(megabytes: 200)
    .WithReference(db)
    .WaitForCompletion(migrations)
    .WithHttpEndpoint(port: 3000)
    .WithExternalHttpEndpoints()
    .WithHttpProbe(ProbeType.Readiness, HealthEndpointPaths.Health)
    .WithHttpProbe(ProbeType.Liveness, HealthEndpointPaths.Alive);

builder.Build().Run();

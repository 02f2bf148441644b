using AddressBook;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres(ResourceNames.Postgres).WithDataVolume();
var db = postgres.AddDatabase(ResourceNames.Database);

var migrations = builder.AddProject<Projects.MigrationService>(ResourceNames.Migrations)
    .WithReference(db)
    .WaitFor(db);

builder.AddProject<Projects.Api>(ResourceNames.Api)
    .WithReference(db)
    .WaitForCompletion(migrations)
    .WithHttpEndpoint(port: 3000);

builder.Build().Run();

using AddressBook.Hosting;
using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Postgres;
using AddressBook.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AddressBook.Tests;

/// <summary>The app model and the engine's pure logic, without starting anything.</summary>
public sealed class HostingModelTests
{
    [Fact]
    public async Task The_app_hosts_model_wires_the_database_migrations_and_api()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        var resources = builder.Resources.ToDictionary(r => r.Name);

        var postgres = Assert.IsType<PostgresServerResource>(resources[ResourceNames.Postgres]);
        var database = Assert.IsType<PostgresDatabaseResource>(resources[ResourceNames.Database]);
        var migrations = Assert.IsType<ProjectResource>(resources[ResourceNames.Migrations]);
        var api = Assert.IsType<ProjectResource>(resources[ResourceNames.Api]);
        Assert.Same(postgres, database.Parent);
        Assert.Single(postgres.Annotations.OfType<PostgresDataAnnotation>());
        Assert.True(postgres.PasswordParameter.Secret);
        Assert.Contains(new WaitAnnotation(database, WaitType.WaitUntilHealthy), migrations.Annotations);
        Assert.Contains(new WaitAnnotation(migrations, WaitType.WaitForCompletion), api.Annotations);
        Assert.Equal(3000, Assert.Single(api.Annotations.OfType<EndpointAnnotation>()).Port);
        Assert.Empty(migrations.Annotations.OfType<EndpointAnnotation>());
    }

    [Fact]
    public void Generated_project_metadata_points_at_the_projects_and_their_build_output()
    {
        IProjectMetadata api = new Projects.Api();
        IProjectMetadata migrations = new Projects.MigrationService();

        Assert.EndsWith("Api.csproj", api.ProjectPath, StringComparison.Ordinal);
        Assert.True(File.Exists(api.ProjectPath));
        Assert.True(File.Exists(api.ExecutablePath), api.ExecutablePath);
        Assert.EndsWith("MigrationService.dll", migrations.ExecutablePath, StringComparison.Ordinal);
        Assert.True(File.Exists(migrations.ExecutablePath), migrations.ExecutablePath);
    }

    [Fact]
    public async Task A_reference_passes_the_connection_string_under_its_name()
    {
        var builder = DistributedApplicationTestingBuilder.Create<Program>();
        var postgres = builder.AddPostgres("pg", port: 5999);
        var database = postgres.AddDatabase("books", databaseName: "library");
        var project = builder.AddProject<Projects.Api>("web").WithReference(database);
        postgres.Resource.PasswordParameter.Resolve("s3cret");
        postgres.Resource.PrimaryEndpoint.AllocatedEndpoint = new AllocatedEndpoint("tcp", "127.0.0.1", 5999);

        var context = new EnvironmentCallbackContext(builder.ExecutionContext, CancellationToken.None);
        foreach (var callback in project.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        Assert.Equal("Host=127.0.0.1;Port=5999;Username=postgres;Password=s3cret;Database=library", context.EnvironmentVariables["ConnectionStrings__books"]);
    }

    [Fact]
    public async Task A_reference_to_a_project_passes_its_endpoints_for_service_discovery()
    {
        var builder = DistributedApplicationTestingBuilder.Create<Program>();
        var api = builder.AddProject<Projects.Api>("backend").WithHttpEndpoint(port: 4000);
        var frontend = builder.AddProject<Projects.Api>("frontend").WithReference(api);
        api.Resource.Annotations.OfType<EndpointAnnotation>().Single().AllocatedEndpoint = new AllocatedEndpoint("http", "localhost", 4000);

        var context = new EnvironmentCallbackContext(builder.ExecutionContext, CancellationToken.None);
        foreach (var callback in frontend.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        Assert.Equal("http://localhost:4000", context.EnvironmentVariables["services__backend__http__0"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1api")]
    [InlineData("api-")]
    [InlineData("a--b")]
    [InlineData("has space")]
    [InlineData("under_score")]
    public void Invalid_resource_names_are_refused(string name)
    {
        var builder = DistributedApplicationTestingBuilder.Create<Program>();

        Assert.ThrowsAny<ArgumentException>(() => builder.AddParameter(name));
    }

    [Fact]
    public void Duplicate_resource_names_are_refused()
    {
        var builder = DistributedApplicationTestingBuilder.Create<Program>();
        builder.AddParameter("dup");

        Assert.Throws<DistributedApplicationException>(() => builder.AddParameter("DUP"));
    }

    [Fact]
    public void Generated_passwords_have_the_requested_shape_and_differ()
    {
        var generate = new GenerateParameterDefault { MinLength = 30, Upper = false, Special = false };

        var values = Enumerable.Range(0, 20).Select(_ => generate.GenerateValue()).ToList();

        Assert.All(values, v => Assert.Equal(30, v.Length));
        Assert.All(values, v => Assert.True(v.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)), v));
        Assert.Equal(values.Count, values.Distinct().Count());
    }

    [Fact]
    public async Task Waiting_for_health_completes_on_healthy_and_fails_fast_on_a_terminal_state()
    {
        var notifications = new ResourceNotificationService();
        var healthy = new ParameterResource("healthy", secret: false);
        var broken = new ParameterResource("broken", secret: false);

        var waitHealthy = notifications.WaitForResourceHealthyAsync("healthy");
        var waitBroken = notifications.WaitForResourceHealthyAsync("broken");
        notifications.PublishUpdate(healthy, s => s with { State = KnownResourceStates.Running });
        Assert.False(waitHealthy.IsCompleted);
        notifications.PublishUpdate(healthy, s => s with { HealthStatus = HealthStatus.Healthy });
        notifications.PublishUpdate(broken, s => s with { State = KnownResourceStates.FailedToStart, FailureReason = "no binaries" });

        Assert.Equal("healthy", (await waitHealthy).Snapshot.Name);
        var failure = await Assert.ThrowsAsync<DistributedApplicationException>(() => waitBroken);
        Assert.Contains("no binaries", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watching_starts_with_the_current_state_of_every_resource()
    {
        var notifications = new ResourceNotificationService();
        notifications.PublishUpdate(new ParameterResource("first", secret: false), s => s with { State = KnownResourceStates.Running });
        using var cancellation = new CancellationTokenSource();

        var seen = new List<string>();
        await foreach (var change in notifications.WatchAsync(cancellation.Token))
        {
            seen.Add($"{change.Snapshot.Name}:{change.Snapshot.State}");
            if (seen.Count == 1)
            {
                notifications.PublishUpdate(new ParameterResource("second", secret: false), s => s with { State = KnownResourceStates.Starting });
            }
            else
            {
                break;
            }
        }

        Assert.Equal(["first:Running", "second:Starting"], seen);
    }
}

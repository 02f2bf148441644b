using System.Text.RegularExpressions;
using AddressBook.Hosting;
using AddressBook.Hosting.Publishing;

namespace AddressBook.Tests.Publishing;

/// <summary>The Compose export, parsed: what it refers to exists, and it says what the model says.</summary>
public sealed partial class ComposeTests
{
    [Fact]
    public async Task Every_reference_resolves_and_ports_agree()
    {
        using var output = await PublishedOutput.PublishAsync("compose");
        var compose = output.Yaml("docker-compose.yaml").Single();
        var services = compose.Map("services");
        var env = output.Env(".env");

        foreach (var (name, service) in services.Select(s => ((string)s.Key, (Dictionary<object, object>)s.Value)))
        {
            foreach (var dependency in service.MapOrNull("depends_on")?.Keys.Cast<string>() ?? [])
            {
                Assert.True(services.ContainsKey(dependency), $"{name} depends on '{dependency}', which is no service");
            }

            foreach (var volume in service.List("volumes").Maps().Where(v => v.Text("type") == "volume"))
            {
                Assert.True(compose.Map("volumes").ContainsKey(volume.Text("source")), $"{name} mounts an undeclared volume");
            }

            foreach (var config in service.List("configs").Maps())
            {
                Assert.True(compose.Map("configs").ContainsKey(config.Text("source")), $"{name} uses an undeclared config");
            }

            // Every variable Compose interpolates is in .env ('$$' is a literal '$').
            var text = string.Join('\n', (service.MapOrNull("environment") ?? []).Values.Cast<string>());
            foreach (Match variable in Interpolation().Matches(text))
            {
                Assert.True(env.ContainsKey(variable.Groups[1].Value), $"{name} uses ${{{variable.Groups[1].Value}}}, which .env does not define");
            }
        }

        var api = services.Map(ResourceNames.Api);
        var port = api.Map("environment").Text("HTTP_PORTS");
        Assert.Contains($"/dev/tcp/127.0.0.1/{port} ", string.Join(' ', api.Map("healthcheck").List("test")));
        Assert.Contains("GET /health ", string.Join(' ', api.Map("healthcheck").List("test")));
        foreach (var project in new[] { ResourceNames.Api, ResourceNames.Migrations })
        {
            // Services reach postgres by its service name, on the port its server listens on (the one its healthcheck asks).
            var connection = PublishedOutput.ConnectionString(services.Map(project).Map("environment").Text("ConnectionStrings__addressbook"));
            var postgres = services.Map(connection["Host"].ToString()!);
            Assert.StartsWith("docker.io/library/postgres:", postgres.Text("image"), StringComparison.Ordinal);
            Assert.Contains($"--port={connection["Port"]}", postgres.Map("healthcheck").List("test").Cast<string>());
            Assert.Equal("${POSTGRES_PASSWORD}", connection["Password"]);
        }

        // Four replicas cannot share host port 3000: the proxy publishes it and balances across them.
        var proxy = services.Map($"{ResourceNames.Api}-proxy");
        Assert.Equal($"3000:{port}", (string)Assert.Single(proxy.List("ports")));
        Assert.False(api.ContainsKey("ports"));
        var proxyConfig = compose.Map("configs").Map($"{ResourceNames.Api}-proxy").Text("content");
        Assert.Contains($"server api:{port} resolve;", proxyConfig);
        Assert.Contains($"listen {port};", proxyConfig);
        Assert.DoesNotMatch(@"(?<!\$)\$(?!\$)", proxyConfig.Replace("$$", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Services_carry_the_models_waits_volumes_replicas_and_limits()
    {
        using var output = await PublishedOutput.PublishAsync("compose");
        var compose = output.Yaml("docker-compose.yaml").Single();
        var services = compose.Map("services");

        var postgres = services.Map(ResourceNames.Postgres);
        Assert.Equal("postgres-data", Assert.Single(postgres.List("volumes").Maps()).Text("source"));
        Assert.Equal("pg_isready", (string)postgres.Map("healthcheck").List("test")[1]);
        Assert.Equal("${POSTGRES_PASSWORD}", postgres.Map("environment").Text("POSTGRES_PASSWORD"));

        var migrations = services.Map(ResourceNames.Migrations);
        Assert.Equal("service_healthy", migrations.Map("depends_on").Map(ResourceNames.Postgres).Text("condition"));
        Assert.Equal("no", migrations.Text("restart"));
        Assert.Equal("addressbook-migrations:1.0.0", migrations.Text("image"));

        var api = services.Map(ResourceNames.Api);
        Assert.Equal("service_completed_successfully", api.Map("depends_on").Map(ResourceNames.Migrations).Text("condition"));
        Assert.Equal("4", api.Map("deploy").Text("replicas"));
        Assert.Equal("200M", api.Map("deploy").Map("resources").Map("limits").Text("memory"));
        Assert.Equal("on-failure:20", api.Text("restart"));
        Assert.False(services.ContainsKey("aspire-dashboard"));
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", api.Map("environment").Keys.Cast<string>());
    }

    [Fact]
    public async Task Asked_for_a_dashboard_every_project_sends_it_telemetry()
    {
        using var output = await PublishedOutput.PublishAsync("compose", "--dashboard");
        var services = output.Yaml("docker-compose.yaml").Single().Map("services");

        Assert.True(services.ContainsKey("aspire-dashboard"));
        foreach (var project in new[] { ResourceNames.Api, ResourceNames.Migrations })
        {
            var environment = services.Map(project).Map("environment");
            Assert.Equal("http://aspire-dashboard:18889", environment.Text("OTEL_EXPORTER_OTLP_ENDPOINT"));
            Assert.Equal(project, environment.Text("OTEL_SERVICE_NAME"));
        }
    }

    [Fact]
    public async Task Publishing_again_keeps_the_secrets_a_data_volume_was_created_with()
    {
        using var first = await PublishedOutput.PublishAsync("compose");
        var password = first.Env(".env")["POSTGRES_PASSWORD"];

        await PublishedOutput.RepublishAsync("compose", first);

        Assert.Matches("^[A-Za-z0-9]{22}$", password);
        Assert.Equal(password, first.Env(".env")["POSTGRES_PASSWORD"]);
    }

    [Fact]
    public async Task An_awkward_value_reads_back_as_given_and_is_kept_as_given()
    {
        // What Compose would interpolate, cut at a comment, trim or unquote, were the value not single-quoted.
        const string awkward = " $HOME ${POSTGRES_PASSWORD} $$ $(id) #not-a-comment \"double\" back\\slash\ttab = end ";
        using var output = await PublishedOutput.PublishAsync("compose", $"--Parameters:postgres-password={awkward}");
        Assert.Equal(awkward, output.Env(".env")["POSTGRES_PASSWORD"]);

        await PublishedOutput.RepublishAsync("compose", output);

        Assert.Equal(awkward, output.Env(".env")["POSTGRES_PASSWORD"]);
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("ends with a backslash\\")]
    public void A_value_compose_cannot_hold_as_written_is_refused(string value)
    {
        var refusal = Assert.Throws<DistributedApplicationException>(() => DeploymentInputs.EnvValue("POSTGRES_PASSWORD", value, EnvFileSyntax.ComposeSingleQuoted));

        Assert.Contains("POSTGRES_PASSWORD", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(value, DeploymentInputs.EnvValue("POSTGRES_PASSWORD", value, EnvFileSyntax.Verbatim));
    }

    [GeneratedRegex(@"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Interpolation();
}

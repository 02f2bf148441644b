namespace AddressBook.Tests.Publishing;

/// <summary>
/// A deployment is reached by more than its owner's loopback: every export gives the API both keys, even from an app
/// host told that a local run may go without (<c>--ApiKeys:Required=false</c>).
/// </summary>
public sealed class DeploymentApiKeyTests
{
    private static readonly string[] KeysNotRequired = ["--ApiKeys:Required=false"];

    /// <summary>The API's setting for each key, and the parameter it comes from.</summary>
    private static readonly (string Variable, string Parameter)[] Keys =
    [
        ("ApiKeys__ReadOnly", ResourceNames.ApiReadOnlyKey),
        ("ApiKeys__ReadWrite", ResourceNames.ApiReadWriteKey),
    ];

    [Fact]
    public async Task The_manifest_sets_both_keys_from_secret_parameters()
    {
        using var output = await PublishedOutput.PublishAsync("manifest", KeysNotRequired);
        var resources = output.Json("aspire-manifest.json").GetProperty("resources");

        var env = resources.GetProperty(ResourceNames.Api).GetProperty("env");
        foreach (var (variable, parameter) in Keys)
        {
            Assert.Equal($"{{{parameter}.value}}", env.GetProperty(variable).GetString());
            Assert.True(resources.GetProperty(parameter).GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        }
    }

    [Fact]
    public async Task The_compose_export_sets_both_keys_to_distinct_generated_values()
    {
        using var output = await PublishedOutput.PublishAsync("compose", KeysNotRequired);
        var environment = output.Yaml("docker-compose.yaml").Single().Map("services").Map(ResourceNames.Api).Map("environment");
        var env = output.Env(".env");

        var values = Keys.Select(key =>
        {
            var setting = environment.Text(key.Variable);
            Assert.Matches(@"^\$\{[A-Z_]+\}$", setting);
            return env[setting[2..^1]];
        }).ToList();

        Assert.All(values, value => Assert.True(value.Length >= 32, $"a key of {value.Length} characters"));
        Assert.Equal(values.Count, values.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task The_kubernetes_export_sets_both_keys_from_the_generated_secret()
    {
        using var output = await PublishedOutput.PublishAsync("kubernetes", KeysNotRequired);
        var secrets = output.Env("secrets.env");
        var container = output.Yaml("api.yaml").Single(o => o.Text("kind") == "Deployment")
            .Map("spec").Map("template").Map("spec").List("containers").Maps().Single(c => c.Text("name") == ResourceNames.Api);
        var env = container.List("env").Maps().ToDictionary(v => v.Text("name"));

        foreach (var (variable, _) in Keys)
        {
            var setting = env[variable].Text("value");
            Assert.Matches(@"^\$\([A-Z_]+\)$", setting);
            var secretKey = env[setting[2..^1]].Map("valueFrom").Map("secretKeyRef").Text("key");
            Assert.True(secrets.TryGetValue(secretKey, out var value) && value.Length >= 32, $"{variable} comes from {secretKey}, which the Secret does not hold");
        }
    }
}

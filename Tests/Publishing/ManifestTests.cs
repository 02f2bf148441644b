using System.Text.Json;
using System.Text.RegularExpressions;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Publishing;

/// <summary>The Aspire manifest that azd deploys: valid against Aspire's schema, every placeholder resolvable.</summary>
public sealed partial class ManifestTests
{
    [AspireSchemaFact]
    public async Task The_manifest_validates_against_Aspires_schema()
    {
        using var output = await PublishedOutput.PublishAsync("manifest");
        var validator = JsonSchemaValidator.Load(RepositoryPaths.AspireManifestSchema);

        var errors = validator.Validate(output.Json("aspire-manifest.json"));

        Assert.Empty(errors);
    }

    [AspireSchemaFact]
    public async Task The_schema_check_rejects_what_Aspires_schema_forbids()
    {
        using var output = await PublishedOutput.PublishAsync("manifest");
        var validator = JsonSchemaValidator.Load(RepositoryPaths.AspireManifestSchema);
        var manifest = output.Read("aspire-manifest.json");

        // A replica count on the project itself, a binding protocol the format does not know, a parameter without inputs.
        var replicasOnProject = manifest.Replace("\"type\": \"project.v0\",", "\"type\": \"project.v0\", \"replicas\": 4,", StringComparison.Ordinal);
        var unknownProtocol = manifest.Replace("\"protocol\": \"tcp\"", "\"protocol\": \"sctp\"", StringComparison.Ordinal);
        var parameterWithoutInputs = Regex.Replace(manifest, "\"inputs\": \\{.*?\\n      \\}", "\"unused\": {}", RegexOptions.Singleline);

        Assert.NotEmpty(validator.Validate(JsonDocument.Parse(replicasOnProject).RootElement));
        Assert.NotEmpty(validator.Validate(JsonDocument.Parse(unknownProtocol).RootElement));
        Assert.NotEmpty(validator.Validate(JsonDocument.Parse(parameterWithoutInputs).RootElement));
    }

    [Fact]
    public async Task The_manifest_has_Aspires_shape_for_the_model()
    {
        using var output = await PublishedOutput.PublishAsync("manifest");
        var manifest = output.Json("aspire-manifest.json");
        var resources = manifest.GetProperty("resources");

        Assert.Equal("https://json.schemastore.org/aspire-8.0.json", manifest.GetProperty("$schema").GetString());
        Assert.Equal("container.v0", resources.GetProperty(ResourceNames.Postgres).GetProperty("type").GetString());
        Assert.Equal("{postgres.connectionString};Database=addressbook", resources.GetProperty(ResourceNames.Database).GetProperty("connectionString").GetString());
        var api = resources.GetProperty(ResourceNames.Api);
        Assert.Equal("project.v0", api.GetProperty("type").GetString());
        Assert.Equal("../../../Api/Api.csproj", api.GetProperty("path").GetString());
        Assert.True(File.Exists(Path.Combine(output.Directory, api.GetProperty("path").GetString()!)));
        Assert.Equal("{addressbook.connectionString}", api.GetProperty("env").GetProperty("ConnectionStrings__addressbook").GetString());
        var http = api.GetProperty("bindings").GetProperty("http");
        Assert.Equal(3000, http.GetProperty("port").GetInt32());
        Assert.True(http.GetProperty("external").GetBoolean());
        var password = resources.GetProperty("postgres-password");
        Assert.Equal("parameter.v0", password.GetProperty("type").GetString());
        Assert.True(password.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal(22, password.GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("generate").GetProperty("minLength").GetInt32());

        var deployment = manifest.GetProperty("x-deployment").GetProperty(ResourceNames.Api);
        Assert.Equal(4, deployment.GetProperty("replicas").GetInt32());
        Assert.Equal(20, deployment.GetProperty("restart").GetProperty("maxRestarts").GetInt32());
        Assert.Equal("200Mi", deployment.GetProperty("memoryLimit").GetString());
    }

    [Fact]
    public async Task Every_placeholder_refers_to_a_resource_and_binding_that_exists()
    {
        using var output = await PublishedOutput.PublishAsync("manifest");
        var resources = output.Json("aspire-manifest.json").GetProperty("resources");

        var placeholders = Strings(resources).SelectMany(s => Placeholder().Matches(s)).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains("postgres-password.value", placeholders);
        Assert.Contains("api.bindings.http.targetPort", placeholders);
        Assert.All(placeholders, placeholder =>
        {
            var segments = placeholder.Split('.');
            Assert.True(resources.TryGetProperty(segments[0], out var resource), $"{{{placeholder}}}: no resource '{segments[0]}'");
            var type = resource.GetProperty("type").GetString();
            switch (segments[1..])
            {
                case ["connectionString"]:
                    Assert.True(resource.TryGetProperty("connectionString", out _), $"{{{placeholder}}}: '{segments[0]}' has no connection string");
                    break;
                case ["value"]:
                    Assert.Equal("parameter.v0", type);
                    break;
                case ["inputs", var input]:
                    Assert.True(resource.GetProperty("inputs").TryGetProperty(input, out _), $"{{{placeholder}}}: no input '{input}'");
                    break;
                case ["bindings", var binding, var property]:
                    Assert.True(resource.GetProperty("bindings").TryGetProperty(binding, out _), $"{{{placeholder}}}: no binding '{binding}'");
                    Assert.Contains(property, new[] { "url", "host", "port", "targetPort", "scheme" });
                    break;
                default:
                    Assert.Fail($"{{{placeholder}}} is not a placeholder Aspire's manifest defines.");
                    break;
            }
        });
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Placeholder();
}

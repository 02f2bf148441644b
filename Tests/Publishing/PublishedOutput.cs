using System.Text.Json;
using AddressBook.Hosting;
using AddressBook.Hosting.Testing;
using AddressBook.Tests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace AddressBook.Tests.Publishing;

/// <summary>
/// What one publisher wrote for the app host's own model, run as the app host runs it (<c>--publisher</c>,
/// <c>--output-path</c>), into a folder of the repository's ignored artifacts, removed afterwards.
/// </summary>
public sealed class PublishedOutput : IDisposable
{
    private static readonly IDeserializer YamlReader = new DeserializerBuilder().Build();

    private PublishedOutput(string directory, IReadOnlyList<ResourceSnapshot> states)
    {
        Directory = directory;
        ResourceStates = states;
    }

    public string Directory { get; }

    /// <summary>The resources' states once publishing finished.</summary>
    public IReadOnlyList<ResourceSnapshot> ResourceStates { get; }

    public IEnumerable<string> Files =>
        System.IO.Directory.EnumerateFiles(Directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static async Task<PublishedOutput> PublishAsync(string publisher, params string[] args)
    {
        // Three levels below the repository, so the manifest's relative project paths are the same on every machine.
        var directory = Path.Combine(RepositoryPaths.Root, "artifacts", "publishing", $"{publisher}-{Guid.NewGuid():N}");
        return new PublishedOutput(directory, await RunAsync(publisher, directory, args));
    }

    /// <summary>Publishes again into the same folder, as a user does after changing the model or a value.</summary>
    public static async Task RepublishAsync(string publisher, PublishedOutput previous, params string[] args) =>
        await RunAsync(publisher, previous.Directory, args);

    private static async Task<IReadOnlyList<ResourceSnapshot>> RunAsync(string publisher, string directory, string[] args)
    {
        var outputPath = publisher == "manifest" ? Path.Combine(directory, "aspire-manifest.json") : directory;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--publisher", publisher, "--output-path", outputPath, .. args]);
        await using var app = builder.Build();
        await app.RunAsync();
        return app.ResourceNotifications.GetCurrentStates();
    }

    public string Read(string file) => File.ReadAllText(Path.Combine(Directory, file));

    public JsonElement Json(string file) => JsonDocument.Parse(Read(file)).RootElement.Clone();

    /// <summary>Every document of a YAML file, as dictionaries, lists and strings.</summary>
    public IReadOnlyList<Dictionary<object, object>> Yaml(string file) => ParseYaml(Read(file));

    public static IReadOnlyList<Dictionary<object, object>> ParseYaml(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(YamlReader.Deserialize<Dictionary<object, object>>(parser));
        }

        return documents;
    }

    /// <summary>
    /// The variables of an env file, read as the tool that takes it reads them: Compose reads <c>.env</c>;
    /// kustomize takes the rest of the line after the first <c>=</c> of any other.
    /// </summary>
    public IReadOnlyDictionary<string, string> Env(string file) =>
        File.ReadLines(Path.Combine(Directory, file)).Where(l => !l.StartsWith('#') && l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => file == ".env" ? ComposeValue(l[(l.IndexOf('=') + 1)..]) : l[(l.IndexOf('=') + 1)..]);

    /// <summary>
    /// A value as Compose's .env parser (compose-go) reads it when it is single-quoted: as written up to the closing
    /// quote, with no interpolation, a backslash escaping only a quote. Any other form would be interpolated, which
    /// an export must never leave to chance, so it fails the test.
    /// </summary>
    public static string ComposeValue(string written)
    {
        Assert.True(written.StartsWith('\''), $"Compose would interpolate the unquoted value {written}");
        var value = new System.Text.StringBuilder();
        var escaping = false;
        for (var i = 1; i < written.Length; i++)
        {
            var character = written[i];
            if (character == '\'' && !escaping)
            {
                Assert.True(written[(i + 1)..].Trim().Length == 0, $"Compose would not read what follows the closing quote of {written}");
                return value.ToString();
            }

            if (character == '\\' && !escaping)
            {
                escaping = true;
                continue;
            }

            if (escaping && character != '\'')
            {
                value.Append('\\');
            }

            escaping = false;
            value.Append(character);
        }

        throw new Xunit.Sdk.XunitException($"Compose finds no closing quote in {written}");
    }

    /// <summary>The keys of a connection string, case-insensitive as its clients read them.</summary>
    public static System.Data.Common.DbConnectionStringBuilder ConnectionString(string text) => new() { ConnectionString = text };

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>Reading parsed YAML without a cast at every step.</summary>
public static class YamlNodes
{
    public static Dictionary<object, object> Map(this object node, string key) =>
        (Dictionary<object, object>)((Dictionary<object, object>)node)[key];

    public static Dictionary<object, object>? MapOrNull(this object node, string key) =>
        ((Dictionary<object, object>)node).TryGetValue(key, out var value) ? (Dictionary<object, object>)value : null;

    public static List<object> List(this object node, string key) =>
        ((Dictionary<object, object>)node).TryGetValue(key, out var value) ? (List<object>)value : [];

    public static string Text(this object node, string key) => (string)((Dictionary<object, object>)node)[key];

    public static string? TextOrNull(this object node, string key) =>
        ((Dictionary<object, object>)node).TryGetValue(key, out var value) ? value as string : null;

    public static IEnumerable<Dictionary<object, object>> Maps(this List<object> nodes) => nodes.Cast<Dictionary<object, object>>();
}

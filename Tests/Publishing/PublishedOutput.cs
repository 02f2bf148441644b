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
        var outputPath = publisher == "manifest" ? Path.Combine(directory, "aspire-manifest.json") : directory;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--publisher", publisher, "--output-path", outputPath, .. args]);
        await using var app = builder.Build();
        await app.RunAsync();
        return new PublishedOutput(directory, app.ResourceNotifications.GetCurrentStates());
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

    /// <summary>The variables of an env file.</summary>
    public IReadOnlyDictionary<string, string> Env(string file) =>
        File.ReadLines(Path.Combine(Directory, file)).Where(l => !l.StartsWith('#') && l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

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

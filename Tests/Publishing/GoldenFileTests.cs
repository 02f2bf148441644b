using AddressBook.Hosting;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Publishing;

/// <summary>
/// Each publisher's output for the app host's model, compared with the reviewed copy in Publishing/Golden.
/// After a change to the model, regenerate the copies, review their diff and commit it:
/// <c>ADDRESSBOOK_UPDATE_GOLDEN=1 dotnet test --filter FullyQualifiedName~GoldenFileTests</c>
/// (which then fails, saying so, so that a run with the variable set never passes as if nothing had changed).
/// Generated secrets differ at every run, so secret values are compared as <c>&lt;secret&gt;</c>.
/// </summary>
public sealed class GoldenFileTests
{
    private const string UpdateVariable = "ADDRESSBOOK_UPDATE_GOLDEN";

    [Theory]
    [InlineData("manifest")]
    [InlineData("compose")]
    [InlineData("kubernetes")]
    public async Task Publisher_output_matches_its_reviewed_copy(string publisher)
    {
        using var output = await PublishedOutput.PublishAsync(publisher);
        var golden = Path.Combine(RepositoryPaths.Root, "Tests", "Publishing", "Golden", publisher);
        var actual = output.Files.ToDictionary(file => file, file => Comparable(file, output.Read(file)));

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            if (Directory.Exists(golden))
            {
                Directory.Delete(golden, recursive: true);
            }

            Directory.CreateDirectory(golden);
            foreach (var (file, text) in actual)
            {
                await File.WriteAllTextAsync(Path.Combine(golden, file), text);
            }

            Assert.Fail($"Rewrote the reviewed copies of {publisher} in {golden}: review their diff, commit it, and run again without {UpdateVariable}.");
        }

        Assert.True(Directory.Exists(golden), $"No reviewed copy at {golden}; create it with {UpdateVariable}=1.");
        var expectedFiles = Directory.EnumerateFiles(golden).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedFiles, actual.Keys.ToList());
        foreach (var (file, text) in actual)
        {
            var expected = await File.ReadAllTextAsync(Path.Combine(golden, file));
            Assert.True(expected == text, $"{publisher}/{file} differs from its reviewed copy (regenerate with {UpdateVariable}=1 and review the diff):\n{text}");
        }
    }

    [Fact]
    public async Task Publishing_starts_no_resource()
    {
        using var output = await PublishedOutput.PublishAsync("manifest");

        Assert.True(File.Exists(Path.Combine(output.Directory, "aspire-manifest.json")));
        Assert.All(output.ResourceStates, state => Assert.Equal(KnownResourceStates.NotStarted, state.State));
    }

    [Fact]
    public async Task Outputs_hold_no_machine_path_and_no_secret_outside_the_secret_files()
    {
        var secrets = new Dictionary<string, string>
        {
            ["postgres-password"] = "Kn0wnPasswordForThisTest1",
            [ResourceNames.ApiReadOnlyKey] = "Kn0wnReadOnlyKeyForThisTest0123",
            [ResourceNames.ApiReadWriteKey] = "Kn0wnReadWriteKeyForThisTest012",
        };
        var arguments = secrets.Select(s => $"--Parameters:{s.Key}={s.Value}").ToArray();
        foreach (var publisher in new[] { "manifest", "compose", "kubernetes" })
        {
            using var output = await PublishedOutput.PublishAsync(publisher, arguments);
            foreach (var file in output.Files)
            {
                var text = output.Read(file);
                Assert.DoesNotContain(RepositoryPaths.Root, text, StringComparison.Ordinal);
                if (file.EndsWith(".env", StringComparison.Ordinal))
                {
                    Assert.Equal(secrets.Values.Order(), output.Env(file).Values.Order());
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(output.Directory, file)));
                }
                else
                {
                    Assert.All(secrets, secret => Assert.False(text.Contains(secret.Value, StringComparison.Ordinal), $"{publisher}/{file} holds {secret.Key}"));
                }
            }
        }
    }

    /// <summary>An env file's secret values are masked, once checked to be there; everything else is compared as written.</summary>
    private static string Comparable(string file, string text)
    {
        if (!file.EndsWith(".env", StringComparison.Ordinal))
        {
            return text;
        }

        var lines = text.Split('\n');
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i - 1].StartsWith('#') && lines[i - 1].Contains("(secret)", StringComparison.Ordinal) && lines[i].IndexOf('=') is > 0 and var separator)
            {
                var written = lines[i][(separator + 1)..];
                var quote = written.Length >= 2 && written[0] == '\'' && written[^1] == '\'' ? "'" : "";
                var value = written[quote.Length..^quote.Length];
                Assert.True(!lines[i - 1].Contains("generated", StringComparison.Ordinal) || value.Length >= 22, $"A generated secret is too short: {lines[i][..separator]}");
                lines[i] = $"{lines[i][..separator]}={quote}<secret>{quote}";
            }
        }

        return string.Join('\n', lines);
    }
}

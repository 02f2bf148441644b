using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AddressBook.Hosting;

/// <summary>
/// What the app host keeps between runs: named data volumes and generated secrets, in a folder per
/// app host checkout outside the source tree. When data is ephemeral everything goes to a temporary
/// folder removed at shutdown instead.
/// </summary>
internal sealed class AppHostState : IDisposable
{
    private readonly string? _ephemeralRoot;

    public AppHostState(HostingOptions options, string appHostName, string appHostDirectory)
    {
        if (options.EphemeralData)
        {
            _ephemeralRoot = Directory.CreateTempSubdirectory($"{appHostName.ToLowerInvariant()}-").FullName;
            if (!OperatingSystem.IsWindows())
            {
                // Servers that run as another OS user (PostgreSQL under root) must be able to reach their folder.
                File.SetUnixFileMode(_ephemeralRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
            Root = _ephemeralRoot;
        }
        else
        {
            var checkoutHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appHostDirectory)))[..10];
            Root = Path.Combine(options.StateDirectory ?? DefaultStateRoot(), $"{appHostName.ToLowerInvariant()}-{checkoutHash}");
        }
    }

    /// <summary>The folder holding this app host's volumes and secrets.</summary>
    public string Root { get; }

    public bool IsEphemeral => _ephemeralRoot is not null;

    /// <summary>Where generated parameter values are kept, readable by the app host's user only.</summary>
    public string ParametersFile => Path.Combine(Root, "parameters.json");

    public string GetVolumeDirectory(string volumeName) => Path.Combine(Root, "volumes", volumeName);

    public string? GetStoredParameter(string name)
    {
        if (IsEphemeral || !File.Exists(ParametersFile))
        {
            return null;
        }

        var stored = JsonSerializer.Deserialize(File.ReadAllText(ParametersFile), StoredParametersJson.Default.DictionaryStringString);
        return stored is not null && stored.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Keeps a generated value; with ephemeral data the file goes with the run, but can be read while it lasts.</summary>
    public void StoreParameter(string name, string value)
    {
        Directory.CreateDirectory(Root);
        var stored = File.Exists(ParametersFile)
            ? JsonSerializer.Deserialize(File.ReadAllText(ParametersFile), StoredParametersJson.Default.DictionaryStringString) ?? []
            : [];
        stored[name] = value;
        var temporary = ParametersFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(stored, StoredParametersJson.Default.DictionaryStringString));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, ParametersFile, overwrite: true);
    }

    /// <summary>Deletes every volume and stored secret of this app host.</summary>
    public bool Reset()
    {
        if (IsEphemeral || !Directory.Exists(Root))
        {
            return false;
        }

        Directory.Delete(Root, recursive: true);
        return true;
    }

    public void Dispose()
    {
        if (_ephemeralRoot is not null && Directory.Exists(_ephemeralRoot))
        {
            Directory.Delete(_ephemeralRoot, recursive: true);
        }
    }

    // Root's home is closed to the 'postgres' user that servers run as under root, so root's state
    // lives where system services keep theirs; everyone else's in their own XDG state folder.
    private static string DefaultStateRoot()
    {
        if (OperatingSystem.IsLinux() && Signals.GetEffectiveUserId() == 0)
        {
            return "/var/lib/addressbook-apphost";
        }

        var xdgState = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        var stateHome = string.IsNullOrEmpty(xdgState)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state")
            : xdgState;
        return Path.Combine(stateHome, "addressbook-apphost");
    }
}

// Every start reads the stored secrets before PostgreSQL can launch; the reflection-based serializer's first use took
// ~35 ms of that path, generated code a few.
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StoredParametersJson : JsonSerializerContext;

using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace AddressBook.Hosting.Control;

/// <summary>
/// The app host's command line verbs, which talk to the app host already running from the same folder:
/// <c>status</c> lists the resources, <c>restart NAME</c> restarts one (replica by replica for a project).
/// </summary>
internal static class ControlClient
{
    public static readonly string[] Verbs = ["status", "restart"];

    public static bool IsRunning(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task<int> RunAsync(string socketPath, string[] args, TextWriter output)
    {
        if (!IsRunning(socketPath))
        {
            await output.WriteLineAsync($"No app host is running from this folder (nothing answers at {socketPath}).").ConfigureAwait(false);
            return 1;
        }

        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://apphost"), Timeout = Timeout.InfiniteTimeSpan };

        switch (args)
        {
            case ["status"]:
                var states = await client.GetFromJsonAsync<List<ResourceSnapshot>>("/resources", ControlServer.Json).ConfigureAwait(false) ?? [];
                foreach (var state in states)
                {
                    await output.WriteLineAsync(Describe(state)).ConfigureAwait(false);
                }

                return 0;

            case ["restart", var resource]:
                using (var response = await client.PostAsync($"/resources/{Uri.EscapeDataString(resource)}/commands/{KnownResourceCommands.Restart}", null).ConfigureAwait(false))
                {
                    if (!response.IsSuccessStatusCode)
                    {
                        var problem = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
                        await output.WriteLineAsync(problem.TryGetProperty("detail", out var detail) ? detail.GetString() : response.ReasonPhrase).ConfigureAwait(false);
                        return 1;
                    }

                    var restarted = await response.Content.ReadFromJsonAsync<ResourceSnapshot>(ControlServer.Json).ConfigureAwait(false);
                    await output.WriteLineAsync($"Restarted '{resource}'. {(restarted is null ? "" : Describe(restarted))}").ConfigureAwait(false);
                    return 0;
                }

            default:
                await output.WriteLineAsync("Usage: status | restart <resource>").ConfigureAwait(false);
                return 2;
        }
    }

    private static string Describe(ResourceSnapshot state)
    {
        var replicas = state.Replicas.Length > 1
            ? string.Create(CultureInfo.InvariantCulture, $" {state.Replicas.Count(r => r.State == KnownResourceStates.Running)}/{state.Replicas.Length} replicas running")
            : "";
        var restarts = state.RestartCount > 0 ? string.Create(CultureInfo.InvariantCulture, $", {state.RestartCount} restarts") : "";
        return $"{state.Name,-12} {state.State,-13} {state.HealthStatus?.ToString() ?? "-",-9}{replicas}{restarts} {string.Join(' ', state.Urls)}".TrimEnd();
    }
}

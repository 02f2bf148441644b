using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AddressBook.Hosting;
using AddressBook.Hosting.ApplicationModel;
using AddressBook.ServiceDefaults;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

/// <summary>
/// A replica launched ahead of what it waits for (migrations) is held before its host starts: it neither listens nor
/// connects until the app host writes to its input, and a stop or a closed input while it is held ends it.
/// </summary>
public sealed class StartGateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_app_host_sets_the_variable_the_service_defaults_read() =>
        Assert.Equal(AppHostStartGate.VariableName, ProjectReplica.StartGateVariable);

    [Fact]
    public async Task A_held_api_listens_only_once_it_is_let_go()
    {
        var port = FreeLoopbackPort();
        using var api = await HeldApi.StartAsync(port);

        Assert.False(api.Process.HasExited);
        Assert.False(IsListening(port), $"port {port} is open while the API is held");

        await api.Process.StandardInput.WriteLineAsync("start");
        await api.Process.StandardInput.FlushAsync();
        await api.WaitForLineAsync("Now listening on");

        using var client = new HttpClient();
        using var alive = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/alive"));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task A_held_api_whose_input_closes_exits_with_an_error_without_listening()
    {
        var port = FreeLoopbackPort();
        using var api = await HeldApi.StartAsync(port);

        api.Process.StandardInput.Close();
        await api.Process.WaitForExitAsync().WaitAsync(Timeout);

        Assert.NotEqual(0, api.Process.ExitCode);
        Assert.DoesNotContain(api.Lines, line => line.Contains("Now listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_held_api_stops_at_once_on_SIGTERM()
    {
        using var api = await HeldApi.StartAsync(FreeLoopbackPort());

        Assert.True(OsProcesses.Signal(api.Process.Id, "TERM"));
        await api.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.DoesNotContain(api.Lines, line => line.Contains("Now listening on", StringComparison.Ordinal));
    }

    private static bool IsListening(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The API's build output run as the app host runs a replica launched held, with its output collected.</summary>
    private sealed class HeldApi : IDisposable
    {
        private readonly List<string> _lines = [];
        private readonly Lock _gate = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private HeldApi(Process process) => Process = process;

        public Process Process { get; }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        /// <summary>Starts it and waits until it says it is held.</summary>
        public static async Task<HeldApi> StartAsync(int port)
        {
            var api = Start(port);
            try
            {
                await api.WaitForLineAsync("held until the app host lets it start");
                return api;
            }
            catch
            {
                api.Dispose();
                throw;
            }
        }

        private static HeldApi Start(int port)
        {
            IProjectMetadata metadata = new Projects.Api();
            var startInfo = new ProcessStartInfo("dotnet", [metadata.ExecutablePath])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(metadata.ProjectPath),
            };
            startInfo.Environment[AppHostStartGate.VariableName] = "stdin";
            startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
            startInfo.Environment["ConnectionStrings__addressbook"] = "Host=127.0.0.1;Port=1;Database=addressbook;Username=nobody;Password=none";
            startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
            var api = new HeldApi(new Process { StartInfo = startInfo });
            api.Process.OutputDataReceived += (_, e) => api.Add(e.Data);
            api.Process.ErrorDataReceived += (_, e) => api.Add(e.Data);
            api.Process.Start();
            api.Process.BeginOutputReadLine();
            api.Process.BeginErrorReadLine();
            return api;
        }

        public async Task WaitForLineAsync(string text)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (_lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
                    {
                        return;
                    }

                    changed = _changed.Task;
                }

                Assert.False(Process.HasExited, $"The API exited before printing '{text}':\n{string.Join('\n', Lines)}");
                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, $"No line with '{text}' within {Timeout}:\n{string.Join('\n', Lines)}");
                await Task.WhenAny(changed, Process.WaitForExitAsync(), Task.Delay(left));
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Add(line);
                _changed.TrySetResult();
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}

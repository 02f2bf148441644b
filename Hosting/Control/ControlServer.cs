using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting.Control;

/// <summary>
/// Lets the user's other terminals, and tools on this machine, ask a running app host for resource
/// states and run resource commands: HTTP on a Unix socket in the app host's state folder, which only
/// the user who runs it can open.
/// </summary>
internal sealed class ControlServer(AppHostState state, ResourceNotificationService notifications, ApplicationOrchestrator orchestrator) : IHostedService
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private WebApplication? _app;

    public static string SocketPath(AppHostState state) => Path.Combine(state.Root, "control.sock");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var socket = SocketPath(state);
        Directory.CreateDirectory(state.Root);
        // A socket file left by a killed run is only a name; Prepare already made sure nobody answers on it.
        File.Delete(socket);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socket));
        _app = builder.Build();
        _app.MapGet("/resources", () => Results.Json(notifications.GetCurrentStates(), Json));
        _app.MapPost("/resources/{name}/commands/{command}", async (string name, string command, CancellationToken ct) =>
        {
            try
            {
                await orchestrator.ExecuteCommandAsync(name, command, ct);
                return Results.Json(notifications.TryGetCurrentState(name), Json);
            }
            catch (KeyNotFoundException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound);
            }
            catch (NotSupportedException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
            }
            catch (InvalidOperationException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
            }
        });
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            File.Delete(SocketPath(state));
        }
    }
}

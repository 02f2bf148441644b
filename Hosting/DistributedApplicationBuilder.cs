using System.Reflection;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting;

/// <summary>Options for creating an application builder.</summary>
public sealed class DistributedApplicationOptions
{
    /// <summary>The command line arguments of the app host.</summary>
    public string[] Args { get; init; } = [];

    /// <summary>The app host's assembly; the entry assembly by default.</summary>
    public Assembly? AppHostAssembly { get; init; }

    /// <summary>The environment name; from DOTNET_ENVIRONMENT by default.</summary>
    public string? EnvironmentName { get; init; }

    /// <summary>
    /// Runs the application without the dashboard (also <c>--AppHost:DisableDashboard=true</c>); the projects then send telemetry only where
    /// <c>DOTNET_DASHBOARD_OTLP_ENDPOINT_URL</c> points, if anywhere. The testing builder sets it unless a test clears it.
    /// </summary>
    public bool DisableDashboard { get; set; }
}

internal sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private readonly HostApplicationBuilder _host;
    private readonly List<IResource> _resources = [];
    private readonly bool _disableDashboard;

    public DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        var appHostAssembly = options.AppHostAssembly ?? Assembly.GetEntryAssembly()
            ?? throw new InvalidOperationException("The app host's assembly could not be determined.");
        AppHostDirectory = appHostAssembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AppHostProjectPath")?.Value ?? AppContext.BaseDirectory;
        AppHostName = appHostAssembly.GetName().Name ?? "apphost";
        _disableDashboard = options.DisableDashboard;

        // 'status' and 'restart NAME' talk to the app host already running; the rest of the line is configuration.
        var args = options.Args;
        if (args.Length > 0 && Control.ControlClient.Verbs.Contains(args[0]))
        {
            var verbLength = args[0] == "restart" ? Math.Min(2, args.Length) : 1;
            ControlCommand = args[..verbLength];
            args = args[verbLength..];
        }

        // The app host reads its settings once, at start: watching its settings files for changes would only add a
        // file watcher per file to every start.
        var initialConfiguration = new ConfigurationManager();
        initialConfiguration["hostBuilder:reloadConfigOnChange"] = "false";
        _host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = ExpandFlags(args),
            ApplicationName = AppHostName,
            ContentRootPath = AppHostDirectory,
            EnvironmentName = options.EnvironmentName,
            Configuration = initialConfiguration,
        });
        ExecutionContext = new DistributedApplicationExecutionContext(
            Publishing.PublishingOptions.From(Configuration).Publisher is { Length: > 0 } ? DistributedApplicationOperation.Publish : DistributedApplicationOperation.Run);

        _host.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
        });
        // The app host speaks for itself; the generic host's banner and every health poll are noise here.
        _host.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        _host.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
    }

    public ConfigurationManager Configuration => _host.Configuration;

    public IHostEnvironment Environment => _host.Environment;

    public IServiceCollection Services => _host.Services;

    public IList<IResource> Resources => _resources;

    public DistributedApplicationExecutionContext ExecutionContext { get; }

    public DistributedApplicationEventing Eventing { get; } = new();

    public string AppHostDirectory { get; }

    internal string AppHostName { get; }

    /// <summary>A command for the running app host, when the command line asked for one instead of a run.</summary>
    internal string[]? ControlCommand { get; }

    /// <summary>Set for tests: the app host's process signals belong to the test runner.</summary>
    internal bool IsTesting { get; set; }

    /// <summary>Set by the testing builder: the first Build hands the builder over instead of building.</summary>
    internal Action<DistributedApplicationBuilder>? InterceptBuild { get; set; }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributedApplicationException($"Cannot add resource '{resource.Name}': a resource with that name already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource =>
        _resources.Contains(resource)
            ? new ResourceBuilder<T>(this, resource)
            : throw new ArgumentException($"'{resource.Name}' is not a resource of this application.", nameof(resource));

    public DistributedApplication Build()
    {
        if (InterceptBuild is { } intercept)
        {
            InterceptBuild = null;
            intercept(this);
        }

        var options = HostingOptions.From(Configuration);
        var resourceConsole = new ResourceConsole { Enabled = options.EchoResourceOutput };
        var notifications = new ResourceNotificationService();
        var logs = new ResourceLoggerService(resourceConsole);
        var state = new AppHostState(options, AppHostName, AppHostDirectory);
        Services.AddSingleton(options);
        Services.AddSingleton(resourceConsole);
        Services.AddSingleton(notifications);
        Services.AddSingleton(logs);
        Services.AddSingleton(state);
        Services.AddSingleton(ExecutionContext);
        Services.AddSingleton(Eventing);
        var model = new DistributedApplicationModel([.. _resources]);
        Services.AddSingleton(model);
        var dashboardDisabled = _disableDashboard || Configuration.GetValue<bool>($"{HostingOptions.SectionName}:DisableDashboard");
        var runsDashboard = !dashboardDisabled && ExecutionContext.IsRunMode && ControlCommand is null;
        var otlpTarget = new Dashboard.OtlpExportTarget(awaitsDashboard: runsDashboard);
        Services.AddSingleton(otlpTarget);
        Services.AddSingleton(sp => new RunnerContext(
            notifications, logs, state, options, Configuration, Environment, ExecutionContext, model,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AddressBook.Hosting"))
        {
            Otlp = otlpTarget,
        });
        Services.AddSingleton<ApplicationOrchestrator>();
        Services.AddSingleton(sp => new ResourceCommandService(sp.GetRequiredService<ApplicationOrchestrator>()));
        if (runsDashboard)
        {
            Services.AddSingleton(Dashboard.DashboardOptions.From(Configuration, options.RandomizePorts));
            Services.AddSingleton<Dashboard.DashboardServer>();
            Services.AddHostedService(sp => sp.GetRequiredService<Dashboard.DashboardServer>());
        }

        Services.AddHostedService(sp => sp.GetRequiredService<ApplicationOrchestrator>());
        Services.AddHostedService<Control.ControlServer>();
        Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            // The dashboard, the orchestrator and the control socket need nothing of each other to start.
            o.ServicesStartConcurrently = true;
        });
        if (IsTesting)
        {
            Services.AddSingleton<IHostLifetime, Testing.TestHostLifetime>();
        }

        return new DistributedApplication(_host.Build(), ControlCommand);
    }

    // Flags a user types without a value, and Aspire's publishing switches, mapped onto configuration keys.
    private static string[] ExpandFlags(string[] args) =>
        [.. args.Select(arg => arg == "--reset-data" ? $"--{HostingOptions.SectionName}:ResetData=true" : Publishing.PublishingOptions.ExpandArgument(arg))];
}

using System.Reflection;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AddressBook.Hosting.Testing;

/// <summary>
/// Starts an app host's model from a test, in the manner of Aspire.Hosting.Testing: the same resources
/// and wiring, with throwaway data and free ports, so tests can run side by side with a running app.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    /// <summary>
    /// Runs the app host's entry point up to <c>Build()</c> and returns its builder, for the test to adjust
    /// and build.
    /// </summary>
    /// <typeparam name="TEntryPoint">Any type of the app host's assembly, typically its <c>Program</c>.</typeparam>
    /// <param name="args">Extra command line arguments for the app host.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(
        string[]? args = null, CancellationToken cancellationToken = default) where TEntryPoint : class =>
        CreateAsync<TEntryPoint>(args ?? [], configureOptions: _ => { }, cancellationToken);

    /// <summary>
    /// Runs the app host's entry point up to <c>Build()</c> with adjusted options, such as
    /// <c>options =&gt; options.DisableDashboard = false</c> to run the dashboard, which tests do without by default.
    /// </summary>
    /// <typeparam name="TEntryPoint">Any type of the app host's assembly, typically its <c>Program</c>.</typeparam>
    /// <param name="args">Extra command line arguments for the app host.</param>
    /// <param name="configureOptions">Adjusts the application's options.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task<IDistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(
        string[] args, Action<DistributedApplicationOptions> configureOptions, CancellationToken cancellationToken = default) where TEntryPoint : class
    {
        var assembly = typeof(TEntryPoint).Assembly;
        var entryPoint = assembly.EntryPoint
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no entry point; pass a type of the app host's assembly.");
        var options = new DistributedApplicationOptions { DisableDashboard = true };
        configureOptions(options);
        var hook = new TestingHook(assembly, args) { DisableDashboard = options.DisableDashboard };
        await Task.Run(() =>
        {
            TestingHook.Current = hook;
            try
            {
                entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [args]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is TestingHook.BuilderCapturedException)
            {
                // The entry point stopped at Build(), as intended.
            }
        }, cancellationToken).ConfigureAwait(false);

        return new TestingBuilder(hook.Builder
            ?? throw new InvalidOperationException($"The entry point of {assembly.GetName().Name} returned without calling Build()."));
    }

    /// <summary>An empty model with the testing settings, for tests that compose their own resources.</summary>
    /// <typeparam name="TEntryPoint">Any type of the app host's assembly, whose projects the model may use.</typeparam>
    public static IDistributedApplicationTestingBuilder Create<TEntryPoint>(params string[] args) where TEntryPoint : class =>
        Create<TEntryPoint>(args, _ => { });

    /// <summary>An empty model with the testing settings and adjusted options, such as the dashboard turned on.</summary>
    /// <typeparam name="TEntryPoint">Any type of the app host's assembly, whose projects the model may use.</typeparam>
    /// <param name="args">Extra command line arguments for the app host.</param>
    /// <param name="configureOptions">Adjusts the application's options.</param>
    public static IDistributedApplicationTestingBuilder Create<TEntryPoint>(string[] args, Action<DistributedApplicationOptions> configureOptions) where TEntryPoint : class
    {
        var options = new DistributedApplicationOptions { DisableDashboard = true };
        configureOptions(options);
        TestingHook.Current = new TestingHook(typeof(TEntryPoint).Assembly, args) { DisableDashboard = options.DisableDashboard };
        try
        {
            var builder = (DistributedApplicationBuilder)DistributedApplication.CreateBuilder([]);
            builder.InterceptBuild = null;
            return new TestingBuilder(builder);
        }
        finally
        {
            TestingHook.Current = null;
        }
    }

    private sealed class TestingBuilder(DistributedApplicationBuilder inner) : IDistributedApplicationTestingBuilder
    {
        public ConfigurationManager Configuration => inner.Configuration;

        public IHostEnvironment Environment => inner.Environment;

        public IServiceCollection Services => inner.Services;

        public IList<IResource> Resources => inner.Resources;

        public DistributedApplicationExecutionContext ExecutionContext => inner.ExecutionContext;

        public string AppHostDirectory => inner.AppHostDirectory;

        public DistributedApplicationEventing Eventing => inner.Eventing;

        public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource => inner.AddResource(resource);

        public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource => inner.CreateResourceBuilder(resource);

        public DistributedApplication Build() => inner.Build();

        public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default) => Task.FromResult(inner.Build());
    }
}

/// <summary>An application builder for tests.</summary>
public interface IDistributedApplicationTestingBuilder : IDistributedApplicationBuilder
{
    /// <summary>Builds the application; start it with <see cref="DistributedApplication.StartAsync"/>.</summary>
    Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default);
}

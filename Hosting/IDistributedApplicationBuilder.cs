using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AddressBook.Hosting;

/// <summary>Builds the application model: the resources, how they connect, and the app host's services.</summary>
public interface IDistributedApplicationBuilder
{
    /// <summary>The app host's configuration: appsettings, environment variables, command line.</summary>
    ConfigurationManager Configuration { get; }

    /// <summary>The app host's environment; its name is passed on to the projects.</summary>
    IHostEnvironment Environment { get; }

    /// <summary>The app host's services.</summary>
    IServiceCollection Services { get; }

    /// <summary>The resources added so far, in order.</summary>
    IList<IResource> Resources { get; }

    /// <summary>Whether this run starts the application or publishes it.</summary>
    DistributedApplicationExecutionContext ExecutionContext { get; }

    /// <summary>Subscriptions to resource lifecycle events.</summary>
    DistributedApplicationEventing Eventing { get; }

    /// <summary>The app host project's directory; relative paths in the model are resolved against it.</summary>
    string AppHostDirectory { get; }

    /// <summary>Adds a resource; its name must be unique.</summary>
    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    /// <summary>Wraps a resource that is already in the model, to configure it further.</summary>
    IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource;

    /// <summary>Builds the application.</summary>
    DistributedApplication Build();
}

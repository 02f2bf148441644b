using System.Diagnostics;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AddressBook.Hosting.Publishing;

/// <summary>Writes the deployment files of the app model, without starting any of its resources.</summary>
internal static class DistributedApplicationPublisher
{
    public static async Task PublishAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var options = PublishingOptions.From(configuration);
        if (options.Publisher is not ("manifest" or "compose" or "kubernetes"))
        {
            throw new DistributedApplicationException($"Unknown publisher '{options.Publisher}': use manifest, compose or kubernetes.");
        }

        var model = await DeploymentModel.CreateAsync(
            services.GetRequiredService<DistributedApplicationModel>(), services.GetRequiredService<DistributedApplicationExecutionContext>(),
            configuration, options, cancellationToken).ConfigureAwait(false);

        var outputPath = Path.GetFullPath(options.OutputPath ?? options.Publisher switch
        {
            "manifest" => "aspire-manifest.json",
            _ => Path.Combine("deploy", options.Publisher == "kubernetes" ? "k8s" : options.Publisher ?? ""),
        });
        var written = options.Publisher switch
        {
            "manifest" => await ManifestPublisher.PublishAsync(model, outputPath, cancellationToken).ConfigureAwait(false),
            "compose" => await new ComposePublisher(model, options, configuration, Console.Error).PublishAsync(outputPath, cancellationToken).ConfigureAwait(false),
            "kubernetes" => await new KubernetesPublisher(model, options, configuration, Console.Error).PublishAsync(outputPath, cancellationToken).ConfigureAwait(false),
            _ => throw new UnreachableException(),
        };

        await Console.Out.WriteLineAsync($"Published {options.Publisher} to: {(written.Count == 1 ? written[0] : outputPath)}").ConfigureAwait(false);
    }
}

using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Publishing;

/// <summary>The publish command as a user types it: the app host writes the files and exits, having started nothing.</summary>
public sealed class PublishCommandTests
{
    [Fact]
    public async Task The_app_host_publishes_and_exits_without_starting_a_resource()
    {
        var directory = Path.Combine(RepositoryPaths.Root, "artifacts", "publishing", $"command-{Guid.NewGuid():N}");
        try
        {
            var manifest = Path.Combine(directory, "aspire-manifest.json");
            await using var appHost = AppHostProcess.Start("--publisher", "manifest", "--output-path", manifest);

            Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Equal($"Published manifest to: {manifest}", appHost.Output.Trim());
            Assert.True(File.Exists(manifest));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task An_unknown_publisher_is_reported_on_one_line()
    {
        await using var appHost = AppHostProcess.Start("--publisher", "helm");

        Assert.Equal(1, await appHost.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal("error: Unknown publisher 'helm': use manifest, compose or kubernetes.", Assert.Single(appHost.ErrorLines));
    }
}

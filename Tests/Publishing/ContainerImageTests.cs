using AddressBook.Hosting.ApplicationModel;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Publishing;

/// <summary>
/// The services' images come from SDK container support (<c>dotnet publish -t:PublishContainer</c>), which needs a
/// container engine this machine lacks; what can be checked is that MSBuild evaluates the properties it reads,
/// and that every export names the image those properties produce.
/// </summary>
public sealed class ContainerImageTests
{
    [Theory]
    [InlineData("Api/Api.csproj", ResourceNames.Api, "addressbook-api")]
    [InlineData("MigrationService/MigrationService.csproj", ResourceNames.Migrations, "addressbook-migrations")]
    public async Task Exports_run_the_image_the_project_file_names(string projectFile, string resource, string repository)
    {
        var properties = await MsBuildProperties.EvaluateAsync(projectFile, "ContainerRepository", "ContainerImageTag", "EnableSdkContainerSupport", "Version");
        Assert.Equal(repository, properties["ContainerRepository"]);
        Assert.Equal(properties["Version"], properties["ContainerImageTag"]);
        Assert.Equal("true", properties["EnableSdkContainerSupport"], ignoreCase: true);
        var image = $"{properties["ContainerRepository"]}:{properties["ContainerImageTag"]}";

        IProjectMetadata metadata = resource == ResourceNames.Api ? new Projects.Api() : new Projects.MigrationService();
        Assert.Equal(image, metadata.ContainerImage);

        using var compose = await PublishedOutput.PublishAsync("compose");
        Assert.Equal(image, compose.Yaml("docker-compose.yaml").Single().Map("services").Map(resource).Text("image"));

        using var kubernetes = await PublishedOutput.PublishAsync("kubernetes", "--container-registry", "registry.example.com/team");
        var workload = kubernetes.Yaml($"{resource}.yaml").First();
        var container = workload.Map("spec").Map("template").Map("spec").List("containers").Maps().Single();
        Assert.Equal($"registry.example.com/team/{image}", container.Text("image"));
    }
}

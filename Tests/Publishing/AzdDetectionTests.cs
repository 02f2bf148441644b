namespace AddressBook.Tests.Publishing;

/// <summary>
/// azd finds the app host of a repository by the MSBuild property Aspire's AppHost SDK sets, then runs it for the
/// manifest: the app host must say it is one, and no project it runs may, or azd would not know which to run.
/// </summary>
public sealed class AzdDetectionTests
{
    [Theory]
    [InlineData("AppHost/AppHost.csproj", true)]
    [InlineData("Api/Api.csproj", false)]
    [InlineData("MigrationService/MigrationService.csproj", false)]
    public async Task Azd_recognises_the_app_host_and_only_it(string projectFile, bool isAppHost)
    {
        var properties = await MsBuildProperties.EvaluateAsync(projectFile, "IsAspireHost", "IsAppHostProject", "AspireHostingSDKVersion");

        // azd takes exactly "true".
        Assert.Equal(isAppHost, properties["IsAspireHost"] == "true");
        Assert.Equal(properties["IsAppHostProject"], properties["IsAspireHost"], ignoreCase: true);

        // Below 9.0 (or unset) the .NET SDK refuses to build an Aspire host, taking it for one of the retired workload.
        Assert.Equal(isAppHost, Version.TryParse(properties["AspireHostingSDKVersion"], out var version) && version >= new Version(9, 0));
    }
}

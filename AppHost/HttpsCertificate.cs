using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace AddressBook.AppHost;

/// <summary>
/// The API's HTTPS certificate, named in configuration the way Kestrel names its own: <c>Https:Certificate:Path</c> to a
/// PFX file with <c>Password</c>, or to a PEM certificate with <c>KeyPath</c> to its PEM key.
/// </summary>
internal static class HttpsCertificate
{
    public const string SectionName = "Https:Certificate";

    public static X509Certificate2? FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        if (section["Path"] is not { Length: > 0 } path)
        {
            return null;
        }

        if (new[] { path, section["KeyPath"] }.FirstOrDefault(file => !string.IsNullOrEmpty(file) && !File.Exists(file)) is { } missing)
        {
            throw new DistributedApplicationException($"The HTTPS certificate in {SectionName} names {missing}, which does not exist.");
        }

        try
        {
            return section["KeyPath"] is { Length: > 0 } keyPath
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(path, section["Password"]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new DistributedApplicationException($"The HTTPS certificate in {SectionName} could not be loaded from {path}: {ex.Message}", ex);
        }
    }
}

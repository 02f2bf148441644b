using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AddressBook.Api.Edge;

/// <summary>Turns a presented API key into a caller with the <c>read</c> role, or <c>read</c> and <c>write</c>.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys,
    IProblemDetailsService problemDetails) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string ReadRole = "read";
    public const string WriteRole = "write";

    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string[]? roles = Matches(presented, keys.Value.ReadWrite) ? [ReadRole, WriteRole]
            : Matches(presented, keys.Value.ReadOnly) ? [ReadRole]
            : null;
        if (roles is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not one of this API's keys."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, roles.Length > 1 ? "read-write key" : "read-only key"), .. roles.Select(role => new Claim(ClaimTypes.Role, role))],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        var detail = PresentedKey(Request) is null
            ? $"This API needs a key: send it in the {HeaderName} header, or as Authorization: Bearer <key>."
            : "The API key is not one of this API's keys.";
        await WriteProblemAsync(detail);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync("This key can only read: changes need the read-write key.");
    }

    private ValueTask<bool> WriteProblemAsync(string detail) => problemDetails.TryWriteAsync(new ProblemDetailsContext
    {
        HttpContext = Context,
        ProblemDetails = { Status = Response.StatusCode, Detail = detail },
    });

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers[HeaderName] is [{ Length: > 0 } key])
        {
            return key;
        }

        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && authorization.Length > BearerPrefix.Length
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }

    // Hashing first gives equal lengths, so the comparison's time tells nothing about the key.
    private static bool Matches(string presented, string? configured) =>
        !string.IsNullOrEmpty(configured)
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}

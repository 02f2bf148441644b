using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AddressBook.Hosting.Dashboard;

/// <summary>
/// Aspire's browser-token login: the console shows <c>/login?t=TOKEN</c>; opening it swaps the token for a session
/// cookie. Without the cookie, pages answer 401 with a login form and the data API 401 with problem details.
/// </summary>
internal sealed class BrowserTokenAuthentication(string? browserToken)
{
    public const string CookieName = "addressbook-dashboard";
    private readonly byte[] _session = RandomNumberGenerator.GetBytes(32);

    public bool IsRequired => browserToken is not null;

    public bool IsSignedIn(HttpContext context) =>
        browserToken is null
        || (context.Request.Cookies[CookieName] is { } cookie && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), SessionValue));

    private byte[] SessionValue => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(_session));

    public void MapLogin(IEndpointRouteBuilder routes, DashboardListener listener) =>
        routes.MapGet("/login", (HttpContext context, string? t, string? returnUrl) =>
        {
            if (browserToken is null || IsSignedIn(context) && t is null)
            {
                return Results.Redirect(SafeReturnUrl(returnUrl));
            }

            if (t is null)
            {
                return Results.Content(DashboardAssets.LoginPage(error: null), "text/html; charset=utf-8", statusCode: StatusCodes.Status200OK);
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(t), Encoding.UTF8.GetBytes(browserToken)))
            {
                return Results.Content(DashboardAssets.LoginPage("That token is not this dashboard's. Copy the login link the app host printed."),
                    "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
            }

            context.Response.Cookies.Append(CookieName, Encoding.ASCII.GetString(SessionValue), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                IsEssential = true,
                Path = "/",
            });
            return Results.Redirect(SafeReturnUrl(returnUrl));
        }).WithMetadata(listener).AllowAnonymous();

    /// <summary>Answers a request that has no session: problem details for the API, the login form for pages.</summary>
    public static Task ChallengeAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            return context.Response.WriteAsJsonAsync(
                new { type = "https://tools.ietf.org/html/rfc9110#section-15.5.2", title = "Unauthorized", status = 401, detail = "Log in with the link the app host printed: /login?t=<token>." },
                options: null, contentType: "application/problem+json");
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(DashboardAssets.LoginPage(error: null));
    }

    // Only a path of this site: a login link must not be a way to send someone elsewhere.
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url[0] == '/' && url[1] != '/' && url[1] != '\\' ? url : "/";
}

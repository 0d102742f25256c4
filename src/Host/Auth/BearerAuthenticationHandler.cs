using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CoManagement.Host.Auth;

/// <summary>
/// Validates "Authorization: Bearer &lt;jwt&gt;" with <see cref="TokenIssuer"/> (JwtBearer does not restore here) and
/// answers 401/403 with ProblemDetails, so a refused request looks like every other error of the API.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IServiceProvider services)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    private const string FailureKey = "auth.failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Fail("the Authorization header must be 'Bearer <token>'");
        // Without a key no token can be trusted; say so rather than failing signatures one by one.
        if (services.GetService<TokenIssuer>() is not { } issuer)
            return Fail("the service has no signing key (Auth:SigningKey), so it accepts no tokens");

        var (identity, error) = await issuer.ValidateAsync(header["Bearer ".Length..].Trim()).ConfigureAwait(false);
        if (identity is null)
            return Fail(error!);
        var principal = new ClaimsPrincipal(identity);
        if (Caller.TryFrom(principal) is null)
            return Fail("the token lacks a valid sub, role (org-staff | analyst | auditor), org or side (Outflow | Inflow) claim");
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = Context.Items.TryGetValue(FailureKey, out var reason) ? (string)reason! : "a bearer token is required";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            $"role '{Caller.TryFrom(Context.User)?.Role}' may not use this endpoint");

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }
}

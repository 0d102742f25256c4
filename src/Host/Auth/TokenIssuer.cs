using System.Security.Claims;
using System.Security.Cryptography;
using CoManagement.Domain.Common;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CoManagement.Host.Auth;

/// <summary>
/// Issues and validates the service's bearer tokens: JWTs signed with HMAC-SHA256 under the key in
/// <see cref="HostSettings.SigningKey"/>. Used by the authentication handler, the <c>token</c> verb and the tests.
/// </summary>
public sealed class TokenIssuer
{
    public const string Issuer = "comanagement";
    public const string Audience = "comanagement-api";
    public const int MinKeyBytes = 32;

    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public TokenIssuer(string base64Key)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64Key);
        }
        catch (FormatException)
        {
            throw new ArgumentException("Auth:SigningKey must be base64.", nameof(base64Key));
        }
        if (bytes.Length < MinKeyBytes)
            throw new ArgumentException($"Auth:SigningKey must hold at least {MinKeyBytes} bytes (HMAC-SHA256), it holds {bytes.Length}.", nameof(base64Key));
        _key = new SymmetricSecurityKey(bytes);
        Parameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromMinutes(1),
            NameClaimType = Caller.SubjectClaim,
            RoleClaimType = Caller.RoleClaim,
        };
    }

    public TokenValidationParameters Parameters { get; }

    /// <summary>A fresh random key, printed by the <c>token</c> verb when none is configured.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinKeyBytes));

    public string Issue(string userId, string role, string organizationId, Side side, TimeSpan? lifetime = null, DateTimeOffset? now = null)
    {
        if (!Roles.All.Contains(role))
            throw new ArgumentException($"Unknown role '{role}'; use one of {string.Join(", ", Roles.All)}.", nameof(role));
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(organizationId);
        var issuedAt = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + (lifetime ?? TimeSpan.FromHours(8)),
            Claims = new Dictionary<string, object>
            {
                [Caller.SubjectClaim] = userId,
                [Caller.RoleClaim] = role,
                [Caller.OrgClaim] = organizationId,
                [Caller.SideClaim] = side.ToString(),
            },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    public string Issue(Caller caller, TimeSpan? lifetime = null) =>
        Issue(caller.UserId, caller.Role, caller.OrganizationId, caller.Side, lifetime);

    /// <summary>The token's identity, or the reason it is refused.</summary>
    public async Task<(ClaimsIdentity? Identity, string? Error)> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, Parameters).ConfigureAwait(false);
        // IdentityModel's own messages hide details as PII; a short reason is enough for the caller.
        return result.IsValid ? (result.ClaimsIdentity, null) : (null, result.Exception switch
        {
            SecurityTokenExpiredException => "the token has expired",
            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify",
            SecurityTokenInvalidAudienceException or SecurityTokenInvalidIssuerException => "the token was issued for another service",
            _ => "the token is malformed or invalid",
        });
    }
}

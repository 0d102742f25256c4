using System.Net.Http.Headers;
using CoManagement.Domain.Common;
using CoManagement.Host.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

public sealed class Authentication(EmptyHostFixture host) : IClassFixture<EmptyHostFixture>
{
    private async Task<(int Status, string? Detail, HttpResponseMessage Response)> WithHeaderAsync(string? header)
    {
        using var client = host.Factory.CreateClient();
        if (header is not null)
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        var response = await client.GetAsync(new Uri("/api/agreements", UriKind.Relative), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return ((int)response.StatusCode, System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), response);
    }

    private static string Forge(IDictionary<string, object> claims, string key = HostFixture.SigningKey, DateTime? expires = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenIssuer.Issuer,
            Audience = TokenIssuer.Audience,
            Claims = claims,
            IssuedAt = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key)), SecurityAlgorithms.HmacSha256),
        });

    [Fact]
    public async Task a_request_without_a_token_is_a_401_problem_with_a_bearer_challenge()
    {
        var (status, detail, response) = await WithHeaderAsync(null);

        status.ShouldBe(401);
        detail.ShouldBe("a bearer token is required");
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz", "Bearer <token>")]
    [InlineData("Bearer not.a.token", "malformed")]
    public async Task a_malformed_header_or_token_is_a_401_problem(string header, string detail)
    {
        var (status, text, _) = await WithHeaderAsync(header);

        status.ShouldBe(401);
        text!.ShouldContain(detail);
    }

    [Fact]
    public async Task a_token_signed_with_another_key_is_refused()
    {
        var token = Forge(Claims(Roles.Analyst), key: TokenIssuer.NewKey());

        var (status, detail, _) = await WithHeaderAsync("Bearer " + token);

        status.ShouldBe(401);
        detail!.ShouldContain("signature");
    }

    [Fact]
    public async Task an_expired_token_is_refused()
    {
        var token = new TokenIssuer(HostFixture.SigningKey).Issue("u", Roles.Analyst, PlDept, Side.Outflow, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-1));

        var (status, detail, _) = await WithHeaderAsync("Bearer " + token);

        status.ShouldBe(401);
        detail.ShouldBe("the token has expired");
    }

    [Theory]
    [InlineData("superuser", "Outflow")]
    [InlineData(Roles.Analyst, "Sideways")]
    public async Task a_token_with_an_unknown_role_or_side_is_refused(string role, string side)
    {
        var claims = Claims(role);
        claims["side"] = side;

        var (status, detail, _) = await WithHeaderAsync("Bearer " + Forge(claims));

        status.ShouldBe(401);
        detail!.ShouldContain("role");
    }

    [Fact]
    public async Task a_valid_token_with_the_wrong_role_is_a_403_problem()
    {
        using var client = host.Client(Analyst);
        var response = await client.GetAsync(new Uri("/api/audit/verify", UriKind.Relative), TestContext.Current.CancellationToken);

        ((int)response.StatusCode).ShouldBe(403);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("analyst");
    }

    [Fact]
    public void a_signing_key_shorter_than_32_bytes_is_refused()
    {
        Should.Throw<ArgumentException>(() => new TokenIssuer(Convert.ToBase64String(new byte[16]))).Message.ShouldContain("32");
        Should.Throw<ArgumentException>(() => new TokenIssuer("not base64!")).Message.ShouldContain("base64");
    }

    private static Dictionary<string, object> Claims(string role) => new()
    {
        ["sub"] = "u-1", ["role"] = role, ["org"] = PlDept, ["side"] = "Outflow",
    };
}

namespace CoManagement.Host.Tests;

public sealed class OpenApi_and_health(EmptyHostFixture host) : IClassFixture<EmptyHostFixture>
{
    [Fact]
    public async Task the_openapi_document_describes_every_endpoint_and_the_bearer_scheme()
    {
        var (status, doc, _) = await host.GetAsync(null, "/openapi/v1.json");

        status.ShouldBe(200);
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        string[] ours =
        [
            "/health/live", "/health/ready",
            "/api/audit/members/{memberId}/history", "/api/audit/members/{memberId}/state", "/api/audit/members/{memberId}/verify",
            "/api/audit/verify", "/api/audit/seals", "/api/audit/reads",
            "/api/roster", "/api/roster/{memberId}", "/api/coverage", "/api/coverage/children", "/api/coverage/months",
            "/api/risks", "/api/risks/{risk}", "/api/flows", "/api/agreements", "/api/agreements/{agreementId}",
        ];
        ours.ShouldBeSubsetOf(paths);
        doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
        var roster = doc.GetProperty("paths").GetProperty("/api/roster").GetProperty("get");
        roster.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .ShouldBe(["org", "side", "status", "region", "risk", "inProvince", "sort", "desc", "page", "pageSize", "at"], ignoreOrder: true);
        roster.GetProperty("security")[0].GetProperty("Bearer").GetArrayLength().ShouldBe(0);
        roster.GetProperty("responses").EnumerateObject().Select(r => r.Name).ShouldBe(["200", "400", "401", "403", "404"], ignoreOrder: true);
        roster.GetProperty("responses").GetProperty("403").GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue();
        doc.GetProperty("paths").GetProperty("/health/live").GetProperty("get").TryGetProperty("security", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task every_parameter_of_the_api_is_described_and_the_risk_flags_are_named()
    {
        var (_, doc, _) = await host.GetAsync(null, "/openapi/v1.json");

        var parameters = doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().SelectMany(op => op.Value.TryGetProperty("parameters", out var ps)
                ? ps.EnumerateArray().Select(x => (Where: $"{op.Name.ToUpperInvariant()} {p.Name} {x.GetProperty("name").GetString()}", Parameter: x))
                : []))
            .ToList();
        parameters.Count.ShouldBeGreaterThan(40);
        parameters.Where(p => !p.Parameter.TryGetProperty("description", out var d) || d.GetString()!.Length < 10).Select(p => p.Where).ShouldBeEmpty();

        var flags = Enum.GetNames<CoManagement.Domain.Members.MemberRisks>().Where(n => n != "None").ToList();
        var riskPath = parameters.Single(p => p.Where == "GET /api/risks/{risk} risk").Parameter.GetProperty("description").GetString()!;
        flags.ShouldAllBe(f => riskPath.Contains(f));
        var risksSchema = doc.GetProperty("components").GetProperty("schemas").GetProperty("MemberRisks").GetProperty("description").GetString()!;
        flags.ShouldAllBe(f => risksSchema.Contains(f));
        var figures = doc.GetProperty("components").GetProperty("schemas").GetProperty("CoverageCounts").GetProperty("properties").EnumerateObject().ToList();
        figures.Count.ShouldBe(15);
        figures.Where(p => !p.Value.TryGetProperty("description", out _)).Select(p => p.Name).ShouldBeEmpty();
        // Deliberately (纳管 means under management), so the rates are not misread as a count of everyone reported.
        foreach (var count in new[] { "reported", "placed" })
            figures.Single(p => p.Name == count).Value.GetProperty("description").GetString()!.ShouldContain("lost contact is not counted", Case.Sensitive, count);
    }

    [Fact]
    public async Task liveness_answers_without_touching_anything()
    {
        var (status, body, _) = await host.GetAsync(null, "/health/live");

        status.ShouldBe(200);
        body.GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task readiness_reports_the_database_the_feed_the_projections_and_the_bus()
    {
        var (status, body, _) = await host.GetAsync(null, "/health/ready");

        status.ShouldBe(200, body.ToString());
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        checks.Keys.ShouldContain("database");
        checks.Keys.ShouldContain("feed");
        checks.Keys.ShouldContain("projections");
        checks.Keys.ShouldContain(k => k.Contains("masstransit", StringComparison.OrdinalIgnoreCase) || k.Contains("bus", StringComparison.OrdinalIgnoreCase));
        checks["database"].GetProperty("status").GetString().ShouldBe("Healthy");
        checks["feed"].GetProperty("data").GetProperty("lagPositions").GetInt64().ShouldBe(0);
    }

    [Fact]
    public void the_host_waits_for_its_bus_to_start_and_sends_no_usage_telemetry()
    {
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MassTransit.MassTransitHostOptions>>().Value;
        options.WaitUntilStarted.ShouldBeTrue("a request must never meet a bus that is still connecting (readiness 503)");
        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled.ShouldBeFalse();
    }

    [Fact]
    public async Task readiness_is_503_naming_the_missing_signing_key_when_none_is_set()
    {
        await using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:EventStore", HostFixture.ConnectionString)
            .UseSetting("EventStore:Schema", host.Schema)
            .UseSetting("Auth:SigningKey", "")
            .UseSetting("EventStore:MigrateOnStart", "false")
            .UseSetting("EventStore:RunProjections", "false")
            .UseSetting("EventStore:RunOutboxRelay", "false"));
        using var client = factory.CreateClient();
        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        ((int)response.StatusCode).ShouldBe(503);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("no signing key");
    }

    [Fact]
    public async Task readiness_shows_no_lease_owner_nor_sql_text()
    {
        var (_, body, _) = await host.GetAsync(null, "/health/ready");

        var text = body.ToString();
        text.ShouldNotContain($"{Environment.MachineName}:{Environment.ProcessId}:");
        text.ShouldContain("leaseHeld");
        text.ShouldNotContain("\"owner\"", Case.Insensitive);
        text.ShouldNotContain("\"query\"", Case.Insensitive);
    }

    [Fact]
    public async Task readiness_is_503_when_the_store_is_not_migrated()
    {
        var schema = HostFixture.NewSchema();
        await using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:EventStore", HostFixture.ConnectionString)
            .UseSetting("EventStore:Schema", schema)
            .UseSetting("EventStore:MigrateOnStart", "false")
            .UseSetting("EventStore:RunProjections", "false")
            .UseSetting("EventStore:RunOutboxRelay", "false"));
        try
        {
            using var client = factory.CreateClient();
            var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

            ((int)response.StatusCode).ShouldBe(503);
            (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("not migrated");
        }
        finally
        {
            await HostFixture.DropSchemasAsync(schema);
        }
    }
}

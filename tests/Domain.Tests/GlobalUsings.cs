global using CoManagement.Domain.Agreements;
global using CoManagement.Domain.Common;
global using CoManagement.Domain.Members;
global using CoManagement.Domain.Organizations;
global using static CoManagement.Domain.Tests.TestData;

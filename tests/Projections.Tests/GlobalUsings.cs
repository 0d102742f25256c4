global using CoManagement.Projections.Queries;
global using static CoManagement.Projections.Tests.World;

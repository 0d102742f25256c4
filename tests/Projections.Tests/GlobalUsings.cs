global using CoManagement.Projections.Queries;

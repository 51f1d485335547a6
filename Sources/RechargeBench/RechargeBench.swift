enum RechargeBenchPlaceholder {}

"""月度报送与核实: monthly reports and verification."""

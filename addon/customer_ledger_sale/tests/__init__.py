from . import test_sale_exposure
